"""Thin Celery tasks: ids in, state in the database, the work in `audionews`."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Iterator

from celery import Task, shared_task
from celery.signals import worker_process_init, worker_ready, worker_shutdown
from flask import Flask, current_app
from sqlalchemy import select, update

from audionews.cache import daily as cache_daily
from audionews.db import database_away, db
from audionews.jobs import day_job, render_job, sweeper
from audionews.jobs.queue import DAY_TASK, RENDER_TASK
from audionews.models import Job, JobStatus, utcnow

log = logging.getLogger(__name__)

# Retries of a render whose database went away. They back off over minutes, not seconds: an
# 8-second cut costs a task one retry, and all of them span about 20 to 40 minutes (see
# `retry_countdown`). After the last one the job is left queued in the database, and the
# sweeper sends it again once it is JOB_STALE_SECONDS old: nothing is lost.
MAX_RETRIES = 8
RETRY_BACKOFF = 20.0  # seconds before the first retry (at most; at least half of it)
RETRY_BACKOFF_MAX = 600.0  # the longest wait between two attempts
RETRY_JITTER = True  # spread the retries of many tasks cut at once


def retry_countdown(retries: int, rng: random.Random | None = None) -> float:
    """Return the seconds before retry number `retries` + 1: exponential, capped, jittered.

    The jitter keeps at least half of each wait ("equal jitter"): Celery's full jitter may
    draw 0 s, and then a short outage could use up several retries.
    """
    wait = min(RETRY_BACKOFF_MAX, RETRY_BACKOFF * 2.0**retries)
    if not RETRY_JITTER:
        return wait
    return wait / 2 + (rng or random).uniform(0, wait / 2)


@shared_task(
    name=RENDER_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def render_article(
    self: Task,
    article_id: int,
    revision: int,
    job_id: int | None = None,
    abandoned_attempt: int | None = None,
) -> str:
    """Render one article revision (idempotent: a finished revision is not rendered again).

    A database error is retried with a growing wait; `abandoned_attempt` is set on a retry
    whose earlier attempt may have left the job "rendering" when the database went away.
    """
    attempt: int | None = None
    try:
        if job_id is not None:
            if abandoned_attempt is not None:
                _release(job_id, abandoned_attempt)
            attempt = db.session.scalar(select(Job.attempts).where(Job.id == job_id))
        # A database error puts the job back in the queue (when the database lets it) and is
        # raised again; it never marks the job failed.
        with _rendering(job_id, article_id, revision, attempt):
            return render_job.run_render(article_id, revision, job_id, may_retry=True)
    except Exception as exc:
        if not database_away(exc):
            raise
        with contextlib.suppress(Exception):
            db.session.rollback()
        if self.request.retries >= MAX_RETRIES:
            log.error(
                "render of article %s: database unreachable after %s retries; the job stays "
                "queued and the sweeper sends it again",
                article_id,
                MAX_RETRIES,
            )
            return JobStatus.QUEUED
        kwargs = dict(self.request.kwargs or {})
        kwargs["abandoned_attempt"] = None if attempt is None else attempt + 1
        raise self.retry(
            exc=exc, countdown=retry_countdown(self.request.retries), kwargs=kwargs
        ) from None


def _release(job_id: int, attempt: int) -> None:
    """Put the job back to queued if attempt number `attempt` left it "rendering".

    `Job.attempts` is counted up by every render that starts; when it is still ours, no other
    worker has taken the job since, and the render that stopped at the database error was
    this task's own.
    """
    db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RENDERING, Job.attempts == attempt)
        .values(status=JobStatus.QUEUED, updated_at=utcnow(), lease_until=None, worker="")
    )
    db.session.commit()


# The jobs this process renders now: job id -> (article id, revision, attempt number).
_running: dict[int, tuple[int, int, int]] = {}
_running_lock = threading.Lock()


@contextlib.contextmanager
def _rendering(
    job_id: int | None, article_id: int, revision: int, attempt: int | None
) -> Iterator[None]:
    if job_id is None or attempt is None:
        yield
        return
    with _running_lock:
        _running[job_id] = (article_id, revision, attempt + 1)
    try:
        yield
    finally:
        with _running_lock:
            _running.pop(job_id, None)


def requeue_unfinished(app: Flask) -> list[int]:
    """Queue again the jobs this process is still rendering as it stops; return their ids.

    For a worker that stops before its renders end (the embedded worker's bounded wait): the
    job shows as queued, not as rendering, and the next worker may take it at once.
    """
    with _running_lock:
        running = dict(_running)
    with app.app_context():
        for job_id, (_article_id, _revision, attempt) in running.items():
            _release(job_id, attempt)
    # The message itself goes back to the queue as the worker's channel closes unacked
    # (acks_late), and `serve` sends every unfinished job again when it starts.
    return list(running)


@shared_task(
    name=DAY_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def build_day(self: Task, day: str) -> str:
    """Build the products of one news day (the briefing, …) if it changed; idempotent.

    A database error is retried with the renders' backoff (`retry_countdown`: minutes, and at
    least half of each wait, where Celery's own full jitter may draw a retry within a second).
    After the last retry the day stays marked, and the sweeper queues its build again.
    """
    try:
        return day_job.build_day(dt.date.fromisoformat(day))
    except Exception as exc:
        if not database_away(exc):
            raise
        with contextlib.suppress(Exception):
            db.session.rollback()
        if self.request.retries >= MAX_RETRIES:
            log.error("day %s: database unreachable after %s retries", day, MAX_RETRIES)
            return day_job.FAILED
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from None


class Sweeper:
    """Run the sweeper at worker start and then every SWEEP_SECONDS, in a daemon thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="audionews-sweeper", daemon=True)

    def start(self) -> None:
        self.thread.start()

    # How often temporary files of renders that a crash interrupted are looked for.
    cleanup_seconds = 3600.0

    def _loop(self) -> None:
        interval = self.app.config["AUDIONEWS"]["SWEEP_SECONDS"]
        last_cleanup: float | None = None
        while True:
            if last_cleanup is None or time.monotonic() - last_cleanup >= self.cleanup_seconds:
                last_cleanup = time.monotonic()
                try:
                    # Only files no render holding a lease can still be writing.
                    with self.app.app_context():
                        sweeper.cleanup_abandoned_temp()
                except Exception:  # the sweep below must go on all the same
                    log.exception("could not clean up temporary media files")
                try:
                    cache_daily.maybe_prune(self.app)  # once a day for the deployment
                except Exception:
                    log.exception("cache prune failed")
            try:
                with self.app.app_context():
                    sweeper.sweep()
            except Exception:  # keep sweeping; one bad round must not end the loop
                log.exception("sweep failed")
            try:
                with self.app.app_context():
                    day_job.sweep()
            except Exception:
                log.exception("sweep of the news days failed")
            if self.stop.wait(interval):
                return


_sweepers: list[Sweeper] = []


@worker_ready.connect
def _start_sweeper(sender: object = None, **_: object) -> None:
    app = getattr(sender, "app", None)
    flask_app = getattr(app, "flask_app", None) if app is not None else None
    if flask_app is None:
        try:
            flask_app = current_app._get_current_object()  # type: ignore[attr-defined]
        except RuntimeError:
            return
    sweeper_thread = Sweeper(flask_app)
    _sweepers.append(sweeper_thread)
    sweeper_thread.start()


@worker_shutdown.connect
def _stop_sweepers(**_: object) -> None:
    for item in _sweepers:
        item.stop.set()


@worker_process_init.connect
def _fresh_connections(**_: object) -> None:
    """Drop database connections inherited from the parent: a forked child must open its own."""
    from celery import current_app as celery_app

    flask_app = getattr(celery_app, "flask_app", None)
    if flask_app is not None:
        with flask_app.app_context():
            db.engine.dispose(close=False)
