"""Find renders whose queue message was lost and send them again.

The database is the truth: an article whose current revision has no ready rendition needs a
job that is alive. A queued or rendering job that has been silent too long counts as lost.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..db import db
from ..models import Article, Job, JobStatus, Rendition, utcnow
from .queue import send_render

log = logging.getLogger(__name__)


def sweep(stale_seconds: float | None = None) -> list[int]:
    """Re-queue lost renders; return the ids of the jobs sent again."""
    if stale_seconds is None:
        stale_seconds = current_app.config["AUDIONEWS"]["JOB_STALE_SECONDS"]
    stale_before = utcnow() - timedelta(seconds=stale_seconds)
    rendered = select(Rendition.id).where(
        Rendition.article_id == Article.id, Rendition.revision == Article.revision
    )
    articles = db.session.scalars(select(Article).where(~rendered.exists())).all()
    resent: list[Job] = []
    for article in articles:
        job = db.session.scalar(
            select(Job)
            .where(Job.article_id == article.id, Job.revision == article.revision)
            .order_by(Job.id.desc())
            .limit(1)
        )
        if job is not None and job.status == JobStatus.FAILED:
            continue  # an editor decides whether to retry
        if job is not None and job.status in JobStatus.LIVE and job.updated_at > stale_before:
            continue
        if job is None or job.status not in JobStatus.LIVE:
            job = Job(article=article, revision=article.revision, status=JobStatus.QUEUED)
            db.session.add(job)
        job.status = JobStatus.QUEUED
        job.updated_at = utcnow()
        resent.append(job)
    db.session.commit()
    for job in resent:
        log.info("sweeper re-queues job %s (article %s)", job.id, job.article_id)
        send_render(job.article_id, job.revision, job.id)
    return [job.id for job in resent]
