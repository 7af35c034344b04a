"""Find renders that were lost and send them again.

The database is the truth. A rendering job whose lease ran out lost its worker; a queued job
no worker took for JOB_STALE_SECONDS may have lost its message. Both are sent again, each by
one conditional UPDATE, so a job that a worker finishes or renews between the sweeper's
queries is left alone. A revision with no rendition and no job at all gets one, in a single
INSERT … SELECT that checks both in the same snapshot, so a render that finishes meanwhile is
never rendered a second time; the unique index on live jobs settles two sweepers at once.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    String,
    and_,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from ..db import db
from ..models import Article, Job, JobStatus, NewsDay, Rendition, utcnow
from .lease import lapsed
from .queue import send_render

log = logging.getLogger(__name__)

# A render that lost its worker this often (say, it is killed for memory every time) fails
# with a reason instead of taking one worker after the other down.
MAX_ATTEMPTS = 5
TOO_MANY_ATTEMPTS = (
    "Das Vertonen wurde {n}-mal abgebrochen, weil der Worker dabei endete "
    "(etwa zu wenig Speicher). Bitte den Artikel prüfen und neu vertonen."
)
SUPERSEDED = "Eine neuere Fassung wurde inzwischen gespeichert."


def sweep(stale_seconds: float | None = None) -> list[int]:
    """Re-queue lost renders; return the ids of the jobs sent again.

    `stale_seconds=0` counts every unfinished job as lost, leases included: for a process that
    starts and knows it is the only worker (the embedded one).
    """
    settings = current_app.config["AUDIONEWS"]
    everything = stale_seconds == 0
    if stale_seconds is None:
        stale_seconds = settings["JOB_STALE_SECONDS"]
    lease_seconds = settings["JOB_LEASE_SECONDS"]
    now = utcnow()
    lost = _lost(now, stale_seconds, lease_seconds, everything)
    resent: list[tuple[int, int, int]] = []
    crashed = 0
    for job_id in db.session.scalars(select(Job.id).where(lost).order_by(Job.id)).all():
        outcome = _recover(job_id, lost)
        if outcome is not None:
            resent.append(outcome[0])
            crashed += outcome[1]
    resent.extend(_add_missing_jobs())
    for job_id, article_id, revision in resent:
        log.info("sweeper re-queues job %s (article %s)", job_id, article_id)
        send_render(article_id, revision, job_id)
    global _cleanup_due
    if crashed:
        # A worker died mid-render: its temporary files will never be finished. They are at
        # least 3/4 of a lease old now; half a lease later they are older than any file a
        # render in progress could be writing (see cleanup_abandoned_temp).
        _cleanup_due = time.monotonic() + lease_seconds / 2
    if _cleanup_due is not None and time.monotonic() >= _cleanup_due:
        _cleanup_due = None
        cleanup_abandoned_temp()
    return [job_id for job_id, _, _ in resent]


# When this process should look for temporary files of a render that lost its worker.
_cleanup_due: float | None = None


def _lost(
    now: datetime, stale_seconds: float, lease_seconds: float, everything: bool
) -> ColumnElement[bool]:
    if everything:
        return Job.status.in_(JobStatus.LIVE)
    return or_(
        and_(Job.status == JobStatus.RENDERING, lapsed(now, lease_seconds)),
        and_(
            Job.status == JobStatus.QUEUED,
            Job.updated_at < now - timedelta(seconds=stale_seconds),
        ),
    )


def _recover(job_id: int, lost: ColumnElement[bool]) -> tuple[tuple[int, int, int], int] | None:
    """Send one lost job again (or end it); return ((job, article, revision), crashed)."""
    job = db.session.get(Job, job_id)
    article = db.session.get(Article, job.article_id) if job is not None else None
    if job is None or article is None:
        return None
    crashed = int(job.status == JobStatus.RENDERING)
    where = and_(Job.id == job_id, lost)
    values: dict[str, object] = {"updated_at": utcnow(), "worker": "", "lease_until": None}
    if job.revision != article.revision:
        values |= {"status": JobStatus.SUPERSEDED, "error": SUPERSEDED}
    elif crashed and job.attempts >= MAX_ATTEMPTS:
        values |= {"status": JobStatus.FAILED, "error": TOO_MANY_ATTEMPTS.format(n=job.attempts)}
    else:
        values |= {"status": JobStatus.QUEUED}
    result = db.session.execute(
        update(Job)
        .where(where)
        .values(**values)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    ).first()
    db.session.commit()
    if result is None or values["status"] != JobStatus.QUEUED:
        return None  # finished, renewed or taken meanwhile; or ended here
    if crashed:
        log.warning("job %s lost its worker (lease ran out); sending it again", job_id)
    return (job_id, job.article_id, job.revision), crashed


def _add_missing_jobs() -> list[tuple[int, int, int]]:
    """Give a job to each current revision that has no rendition and no job of any kind.

    A failed job stays failed (an editor decides); a ready one comes with its rendition.
    """
    rendered = exists().where(
        Rendition.article_id == Article.id, Rendition.revision == Article.revision
    )
    has_job = exists().where(
        Job.article_id == Article.id,
        Job.revision == Article.revision,
        Job.status != JobStatus.SUPERSEDED,
    )
    candidates = db.session.scalars(select(Article.id).where(~rendered, ~has_job)).all()
    added: list[tuple[int, int, int]] = []
    for article_id in candidates:
        now = utcnow()
        # One statement: under READ COMMITTED it sees one snapshot, so a render that commits
        # its rendition meanwhile is either seen done or still seen live, never neither.
        row = select(
            Article.id,
            Article.revision,
            literal(JobStatus.QUEUED, String),
            literal(0, Integer),
            literal(0, Integer),
            literal("", String),
            literal("", String),
            literal(0, Integer),
            literal(now),
            literal(now),
            literal("", String),
            literal("", String),
            literal(False, Boolean),
        ).where(Article.id == article_id, ~rendered, ~has_job)
        columns = [
            "article_id",
            "revision",
            "status",
            "done",
            "total",
            "error",
            "engine",
            "attempts",
            "created_at",
            "updated_at",
            "phase",
            "worker",
            "rerun",
        ]
        statement = insert(Job).from_select(columns, row).returning(Job.id, Job.revision)
        try:
            inserted = db.session.execute(statement).first()
            db.session.commit()
        except IntegrityError:  # another sweeper added it first
            db.session.rollback()
            continue
        if inserted is not None:
            added.append((inserted.id, article_id, inserted.revision))
    return added


def cleanup_abandoned_temp() -> int:
    """Remove temporary media files that no render in progress can still be writing.

    A render writes its temporary files after it took its lease, so a file older than the
    oldest render still holding a lease (and than the oldest running day build, and than one
    lease, for sentence previews in the web process) belongs to a render that will never
    finish it.
    """
    settings = current_app.config["AUDIONEWS"]
    now = utcnow()
    starts = [
        db.session.scalar(
            select(func.min(Job.started_at)).where(
                Job.status == JobStatus.RENDERING, Job.lease_until >= now
            )
        ),
        # A day's build (the briefing) writes temporary files too, under its own lease.
        db.session.scalar(
            select(func.min(NewsDay.building_since)).where(
                NewsDay.building_since >= now - timedelta(seconds=settings["JOB_STALE_SECONDS"])
            )
        ),
    ]
    db.session.commit()
    age = settings["JOB_LEASE_SECONDS"]
    for start in starts:
        if start is not None:
            age = max(age, (now - start).total_seconds() + 1)
    removed: int = current_app.extensions["storage"].cleanup_temp(older_than_seconds=age)
    if removed:
        log.info("removed %d temporary files of interrupted renders", removed)
    return removed
