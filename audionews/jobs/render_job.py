"""Run one render job against the database: the body of the Celery task, without Celery."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from ..db import db
from ..metrics import hooks as metrics
from ..models import Article, Job, JobStatus, LexiconEntry, Rendition, utcnow
from ..render.renderer import RenderError, RenderInput, RenderOutput
from . import day_job
from .renderers import engine_chain, renderer  # noqa: F401  (here for those who import them)

log = logging.getLogger(__name__)

SUPERSEDED = "Eine neuere Fassung wurde inzwischen gespeichert."


def run_render(
    article_id: int, revision: int, job_id: int | None = None, *, may_retry: bool = False
) -> str:
    """Render the revision unless that is already done or superseded; return the job status.

    With `may_retry`, a transient database error puts the job back in the queue and is raised
    again for the task to retry; otherwise any unexpected error fails the job.
    """
    article = db.session.get(Article, article_id)
    job = db.session.get(Job, job_id) if job_id else None
    if article is None or (job is not None and job.article_id != article_id):
        return "missing"
    if job is None:
        if article.ready_for(revision) is not None:
            return JobStatus.READY  # called without a job: the revision is already rendered
        job = Job(article=article, revision=revision)
        db.session.add(job)
        db.session.flush()
    if job.status not in JobStatus.LIVE:
        return job.status  # a redelivered message of a job that has ended
    stale_before = utcnow() - timedelta(
        seconds=current_app.config["AUDIONEWS"]["JOB_STALE_SECONDS"]
    )
    if job.status == JobStatus.RENDERING and job.updated_at > stale_before:
        return job.status  # another worker renders it right now (a duplicate message)
    if article.revision != revision:
        return _finish(job, JobStatus.SUPERSEDED, SUPERSEDED)
    # A redelivered message (worker lost, broker restart) finds its work already done.
    existing = db.session.scalar(select(Rendition).where(Rendition.job_id == job.id))
    if existing is not None:
        job.engine = existing.engine
        return _finish(job, JobStatus.READY)

    job.status = JobStatus.RENDERING
    job.attempts += 1
    job.error = ""
    job.updated_at = utcnow()
    db.session.commit()
    item = RenderInput(
        slug=article.slug,
        title=article.title,
        summary=article.summary,
        body=article.body,
        date=article.created_at.date(),
        lexicon=LexiconEntry.current(),
    )
    last_write = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last_write
        now = time.monotonic()
        # Write progress at most twice a second; it doubles as the job's heartbeat.
        if done == total or now - last_write >= 0.5:
            last_write = now
            job.done, job.total, job.updated_at = done, total, utcnow()
            db.session.commit()

    try:
        output = metrics.timed_render(renderer(), item, progress)
    except RenderError as exc:
        db.session.rollback()
        return _finish(job, JobStatus.FAILED, str(exc))
    except Exception as exc:
        db.session.rollback()
        if may_retry and isinstance(exc, OperationalError):
            log.warning("render of article %s: database error, retrying: %s", article_id, exc)
            _finish(job, JobStatus.QUEUED)
        else:
            log.exception("render of article %s revision %s failed", article_id, revision)
            _finish(job, JobStatus.FAILED, f"Interner Fehler beim Vertonen ({type(exc).__name__}).")
        raise

    # The article may have changed while this render ran: then its audio must not go live.
    db.session.refresh(article)
    if article.revision != revision:
        return _finish(job, JobStatus.SUPERSEDED, SUPERSEDED)
    db.session.add(rendition_of(output, article_id=article_id, job_id=job.id, revision=revision))
    job.engine = output.engine
    return _finish(job, JobStatus.READY)


def rendition_of(output: RenderOutput, **owner: Any) -> Rendition:
    """Return the Rendition row of a render's output; `owner` names article and revision."""
    return Rendition(
        **owner,
        engine=output.engine,
        voice=output.voice,
        options=output.options,
        chapters=output.chapters,
        files=output.files | output.sidecars,
        sizes=output.sizes,
        durations=output.durations,
        cues=output.cues,
        synthesized=output.synthesized,
        cached=output.cached,
        cache_keys=output.cache_keys,
    )


def _finish(job: Job, status: str, error: str = "") -> str:
    metrics.job_finished(status)
    job.status = status
    job.error = error
    job.updated_at = utcnow()
    if status == JobStatus.READY and job.total:
        job.done = job.total
    if status in (JobStatus.READY, JobStatus.FAILED):
        day_job.mark_article(job.article)  # its day's briefing: rebuilt, or no longer waiting
    db.session.commit()
    return status
