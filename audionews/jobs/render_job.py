"""Run one render job against the database: the body of the Celery task, without Celery."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from ..db import db
from ..metrics import hooks as metrics
from ..models import Article, Job, JobStatus, LexiconEntry, Rendition, utcnow
from ..render.renderer import RenderError, RenderInput, RenderOutput
from ..render.storage import NO_SPACE, out_of_space
from . import day_job
from .lease import Lease, LeaseLost, lapsed
from .live import ensure_job
from .queue import send_render
from .renderers import engine_chain, renderer  # noqa: F401  (here for those who import them)

log = logging.getLogger(__name__)

SUPERSEDED = "Eine neuere Fassung wurde inzwischen gespeichert."


def run_render(
    article_id: int, revision: int, job_id: int | None = None, *, may_retry: bool = False
) -> str:
    """Render the revision unless that is done, superseded or under way; return the status.

    Only the holder of the job's lease renders it, and only a holder that still has its lease
    publishes a rendition. Without `job_id`, the revision's live job is used (or one made).
    With `may_retry`, a transient database error puts the job back in the queue and is raised
    again for the task to retry; otherwise any unexpected error fails the job.
    """
    article = db.session.get(Article, article_id)
    if article is None:
        return "missing"
    if job_id:
        job = db.session.get(Job, job_id)
        if job is None or job.article_id != article_id:
            return "missing"
    else:
        if article.ready_for(revision) is not None:
            return JobStatus.READY  # called without a job: the revision is already rendered
        job, _ = ensure_job(article, revision)
    revision = job.revision
    if job.status not in JobStatus.LIVE:
        return job.status  # a redelivered message of a job that has ended
    if article.revision != revision:
        return _end(job, JobStatus.SUPERSEDED, SUPERSEDED)
    # A redelivered message (worker lost, broker restart) finds its work already done.
    existing = _rendition_for(job)
    if existing is not None:
        return _end(job, JobStatus.READY, engine=existing.engine)

    lease_seconds = current_app.config["AUDIONEWS"]["JOB_LEASE_SECONDS"]
    lease = Lease.claim(job, lease_seconds)
    if lease is None:
        return job.status  # another worker renders it right now (a duplicate message)
    seen = _last_rendition_id(job)
    item = RenderInput(
        slug=article.slug,
        title=article.title,
        summary=article.summary,
        body=article.body,
        date=article.created_at.date(),
        lexicon=LexiconEntry.current(),
    )
    db.session.commit()  # hold no transaction open while rendering
    try:
        with lease:
            output = metrics.timed_render(renderer(), item, lease.progress)
    except LeaseLost:
        db.session.rollback()
        log.warning("job %s: another worker took over; this render publishes nothing", job.id)
        db.session.refresh(job)
        return job.status
    except RenderError as exc:
        db.session.rollback()
        return _end(job, JobStatus.FAILED, str(exc), lease=lease)
    except Exception as exc:
        db.session.rollback()
        if out_of_space(exc):
            # Not the article's fault and not for ever: the job waits for room, it does not fail;
            # the sweeper sends it again every JOB_STALE_SECONDS until there is room.
            log.warning(
                "render of article %s revision %s: no space left for audio files; the job "
                "is queued again: %s",
                article_id,
                revision,
                exc,
            )
            return _end(job, JobStatus.QUEUED, NO_SPACE, lease=lease)
        if may_retry and isinstance(exc, OperationalError):
            log.warning("render of article %s: database error, retrying: %s", article_id, exc)
            _end(job, JobStatus.QUEUED, lease=lease)
        else:
            log.exception("render of article %s revision %s failed", article_id, revision)
            _end(
                job,
                JobStatus.FAILED,
                f"Interner Fehler beim Vertonen ({type(exc).__name__}).",
                lease=lease,
            )
        raise

    # The article may have changed while this render ran: then its audio must not go live.
    db.session.refresh(article)
    if article.revision != revision:
        return _end(job, JobStatus.SUPERSEDED, SUPERSEDED, lease=lease)
    if _last_rendition_id(job) != seen:
        # Published by another job while this one rendered (no path should allow that; if
        # one ever does, listeners still get one rendition of the revision, not two).
        log.warning("job %s: revision %s was published meanwhile; not again", job.id, revision)
        return _end(job, JobStatus.READY, engine=output.engine, lease=lease)
    rendition = rendition_of(output, article_id=article_id, job_id=job.id, revision=revision)
    return _end(job, JobStatus.READY, engine=output.engine, lease=lease, rendition=rendition)


def _rendition_for(job: Job) -> Rendition | None:
    """Return a rendition that already answers this job: its own, or one by a later job.

    Job ids are handed out in order, so a rendition of this revision by a job with a higher
    id was asked for after this one and rendered since: rendering again would publish the
    same revision twice. (Ids, not clocks: workers' clocks may disagree.)
    """
    return db.session.scalar(
        select(Rendition)
        .where(
            Rendition.article_id == job.article_id,
            Rendition.revision == job.revision,
            Rendition.job_id >= job.id,
        )
        .order_by(Rendition.id.desc())
        .limit(1)
    )


def _last_rendition_id(job: Job) -> int:
    """Return the newest rendition id of the job's revision (0 if none)."""
    found = db.session.scalar(
        select(func.max(Rendition.id)).where(
            Rendition.article_id == job.article_id, Rendition.revision == job.revision
        )
    )
    return int(found or 0)


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


def _end(
    job: Job,
    status: str,
    error: str = "",
    *,
    engine: str | None = None,
    lease: Lease | None = None,
    rendition: Rendition | None = None,
) -> str:
    """End (or, with QUEUED, give back) the job in one conditional UPDATE; return its status.

    With a lease, only while the lease still holds the job; without one, only while no one
    else holds a valid lease on it. The rendition is added in the same transaction, so the
    job is ready exactly when its audio is there. A rerun asked for meanwhile becomes a new
    queued job of the same revision.
    """
    now = utcnow()
    lease_seconds = current_app.config["AUDIONEWS"]["JOB_LEASE_SECONDS"]
    condition = (
        lease.holds()
        if lease is not None
        else and_(
            Job.id == job.id,
            Job.status.in_(JobStatus.LIVE),
            or_(Job.status == JobStatus.QUEUED, lapsed(now, lease_seconds)),
        )
    )
    values: dict[str, Any] = {"status": status, "error": error, "updated_at": now}
    values |= {"lease_until": None, "worker": ""}
    if status == JobStatus.READY:
        values["done"] = case((Job.total > 0, Job.total), else_=Job.done)
        values["phase"] = ""
    if engine is not None:
        values["engine"] = engine
    if status == JobStatus.QUEUED:
        values["rerun"] = False  # the job renders again anyway
    rows = db.session.execute(
        update(Job)
        .where(condition)
        .values(**values)
        .returning(Job.rerun)
        .execution_options(synchronize_session=False)
    ).all()
    if not rows:  # the job ended, or went to another worker, meanwhile
        db.session.rollback()
        db.session.refresh(job)
        return job.status
    metrics.job_finished(status)
    follow_up: Job | None = None
    if rows[0].rerun and status in (JobStatus.READY, JobStatus.FAILED):
        follow_up = Job(article_id=job.article_id, revision=job.revision, status=JobStatus.QUEUED)
        db.session.add(follow_up)
    if rendition is not None:
        db.session.add(rendition)
    if status in (JobStatus.READY, JobStatus.FAILED):
        day_job.mark_article(job.article)  # its day's briefing: rebuilt, or no longer waiting
    try:
        db.session.commit()
    except IntegrityError:  # this job has a rendition already (the unique index says so)
        db.session.rollback()
        log.warning("job %s: a rendition exists already; not publishing a second", job.id)
        return _end(job, status, error, engine=engine, lease=lease)
    db.session.refresh(job)
    if follow_up is not None:
        send_render(follow_up.article_id, follow_up.revision, follow_up.id)
    return status
