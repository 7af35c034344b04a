"""The Celery app for `celery -A workers.celery_app worker` and `audionews worker`."""

from __future__ import annotations

from audionews import create_app

from . import tasks  # noqa: F401  (register the tasks)

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
app = celery_app
