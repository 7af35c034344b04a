"""Thin Celery tasks: ids in, state in the database, the work in `audionews`."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from celery import Task, shared_task
from celery.signals import worker_process_init, worker_ready, worker_shutdown
from flask import Flask, current_app
from sqlalchemy.exc import OperationalError

from audionews.cache import daily as cache_daily
from audionews.db import db
from audionews.jobs import day_job, render_job, sweeper
from audionews.jobs.queue import DAY_TASK, RENDER_TASK

log = logging.getLogger(__name__)

MAX_RETRIES = 3


@shared_task(
    name=RENDER_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def render_article(self: Task, article_id: int, revision: int, job_id: int | None = None) -> str:
    """Render one article revision (idempotent: a finished revision is not rendered again)."""
    may_retry = self.request.retries < MAX_RETRIES
    return render_job.run_render(article_id, revision, job_id, may_retry=may_retry)


@shared_task(
    name=DAY_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def build_day(day: str) -> str:
    """Build the products of one news day (the briefing, …) if it changed; idempotent."""
    return day_job.build_day(dt.date.fromisoformat(day))


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
                    # Only files older than an hour: a render never takes that long.
                    self.app.extensions["storage"].cleanup_temp()
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
