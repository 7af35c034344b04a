"""Celery bound to the Flask app, and sending render and day jobs by task name.

The web side never imports `workers`: it only knows the task's name.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from celery import Celery, Task
from flask import Flask, current_app

RENDER_TASK = "audionews.render_article"
DAY_TASK = "audionews.build_day"
EMBEDDED_BROKER = "filesystem://"

log = logging.getLogger(__name__)


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app for `app`, running every task inside an app context."""

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    settings = app.config["AUDIONEWS"]
    broker = settings["BROKER_URL"] or EMBEDDED_BROKER
    transport_options: dict[str, Any] = {"visibility_timeout": 3600}
    if broker == EMBEDDED_BROKER:
        # Files let `audionews import` hand jobs to a running `audionews serve`, and they
        # outlive a restart; a memory queue would die with the process that filled it.
        folder = Path(settings["QUEUE_DIR"])
        for sub in ("messages", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        transport_options |= {
            "data_folder_in": str(folder / "messages"),
            "data_folder_out": str(folder / "messages"),
            "control_folder": str(folder / "control"),
            "polling_interval": 0.05,  # a directory listing; cheap, and jobs start at once
        }
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        broker_url=broker,
        task_ignore_result=True,  # the database is the record of every job
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        # A broker that is down must not hang an HTTP request: the job row stays
        # queued and the sweeper sends it again.
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
        broker_transport_options=transport_options,
        worker_hijack_root_logger=False,
    )
    celery_app.set_default()
    celery_app.flask_app = app  # for worker signal handlers
    app.extensions["celery"] = celery_app
    return celery_app


def is_embedded(app: Flask | None = None) -> bool:
    app = app or current_app
    return not app.config["AUDIONEWS"]["BROKER_URL"]


def send_render(article_id: int, revision: int, job_id: int) -> bool:
    """Queue a render; return False (and leave the job to the sweeper) if the broker fails."""
    celery_app: Celery = current_app.extensions["celery"]
    try:
        celery_app.send_task(RENDER_TASK, args=[article_id, revision, job_id])
    except Exception as exc:  # kombu raises many kinds; the DB row keeps the job alive
        log.warning("could not queue job %s: %s (the sweeper will retry)", job_id, exc)
        return False
    return True


def send_day(day: date) -> bool:
    """Queue the build of a news day's products; False (the sweeper retries) if the broker fails."""
    celery_app: Celery = current_app.extensions["celery"]
    try:
        celery_app.send_task(DAY_TASK, args=[day.isoformat()])
    except Exception as exc:  # as send_render: the news_day row keeps the day dirty
        log.warning("could not queue the build of %s: %s (the sweeper will retry)", day, exc)
        return False
    return True
