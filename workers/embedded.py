"""An in-process Celery worker over the `filesystem://` queue, for `serve` without Redis."""

from __future__ import annotations

import logging
import threading
import time

from celery import Celery
from celery.worker import WorkController
from flask import Flask

from audionews.jobs import sweeper

from . import tasks  # registers the tasks

log = logging.getLogger(__name__)


class EmbeddedWorker:
    """A Celery WorkController with a thread pool, running in a daemon thread."""

    def __init__(self, app: Flask, concurrency: int = 2) -> None:
        self.app = app
        self.celery: Celery = app.extensions["celery"]
        self.concurrency = concurrency
        self.controller: WorkController | None = None
        self.thread: threading.Thread | None = None
        # A bare WorkController sends no worker_ready signal: start the sweeper here.
        self.sweeper = tasks.Sweeper(app)

    def start(self) -> EmbeddedWorker:
        self.celery.finalize()
        self.celery.set_current()
        self.celery.set_default()
        self.controller = self.celery.WorkController(
            app=self.celery,
            concurrency=self.concurrency,
            pool="threads",
            hostname="embedded@audionews",
            without_heartbeat=True,
            without_mingle=True,
            without_gossip=True,
            loglevel="WARNING",
        )
        self.thread = threading.Thread(
            target=self.controller.start, name="audionews-embedded-worker", daemon=True
        )
        self.thread.start()
        self.sweeper.start()
        return self

    def stop(self, timeout: float = 10.0) -> list[int]:
        """Take no more jobs; let running renders finish within `timeout` s, re-queue the rest.

        Return the ids of the jobs queued again. Their renders still run in daemon threads:
        the caller must end the process right away (`os._exit`), or they would fail as the
        interpreter shuts down and mark their jobs failed. Files are published by atomic
        renames, so a render cut off leaves nothing half-published.
        """
        deadline = time.monotonic() + timeout
        self.sweeper.stop.set()
        if self.controller is not None:
            # WorkController.stop waits for running tasks without a bound: wait beside it.
            stopper = threading.Thread(
                target=self.controller.stop,
                kwargs={"in_sighandler": False},
                name="audionews-embedded-stop",
                daemon=True,
            )
            stopper.start()
            stopper.join(timeout)
        if self.thread is not None:
            self.thread.join(max(0.0, deadline - time.monotonic()))
        left = tasks.requeue_unfinished(self.app)
        if left:
            log.warning("stopped with jobs %s unfinished; they are queued again", left)
        return left


def start_embedded(
    app: Flask, concurrency: int = 2, *, requeue_all: bool = False
) -> EmbeddedWorker:
    """Start the embedded worker.

    With `requeue_all`, every unfinished job is sent again first: a job an earlier process was
    rendering when it stopped would otherwise wait for the stale limit. Duplicate messages are
    harmless: a job that has ended or is being rendered is not rendered again.
    """
    if requeue_all:
        with app.app_context():
            sweeper.sweep(stale_seconds=0)
    return EmbeddedWorker(app, concurrency).start()
