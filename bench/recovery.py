"""recovery: from kill -9 of a worker mid-render to that render being ready again, defaults.

Two real `audionews worker` processes (prefork, concurrency 2) on a private redis-server and a
SQLite file, every job setting at its default (JOB_LEASE_SECONDS, JOB_STALE_SECONDS,
SWEEP_SECONDS), espeak. An article (the three samples' bodies twice, ~11 minutes of speech) is
submitted through the API; once a worker has held its lease for half of the undisturbed render
time, that worker and its children get SIGKILL, as a crash of its machine would. Measured: the
seconds from the kill until the API says "ready", and until the other worker renders it again.
Baseline: the same render undisturbed (submit to ready), measured first in the same run, with
an empty segment cache each time. Goal: ready again <= 120 s.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from audionews import create_app
from audionews.db import db
from audionews.models import Job, Rendition, utcnow
from tests.services import kill_tree

from . import Row, say, settings
from .article import long_article
from .queue_latency import WARM_UPS, Worker, _close, _empty_cache, _token, redis_server, submit

NAME = "recovery"
GOAL = 120.0
POLL = 0.05
TIMEOUT = 600.0
COPIES = 2


def _payload(title: str) -> dict[str, Any]:
    article = long_article(COPIES)
    return {"title": title, "summary": article.summary, "body": article.body, "links": []}


def _wait(client: FlaskClient, slug: str, start: float) -> float:
    while True:
        body = client.get(f"/api/v1/articles/{slug}").get_json()
        elapsed = time.monotonic() - start
        if body["status"] == "ready":
            return elapsed
        if body["status"] == "failed":
            raise RuntimeError(f"render failed: {body['error']}")
        if elapsed > TIMEOUT:
            raise RuntimeError(f"not ready after {TIMEOUT:.0f} s: {body}")
        time.sleep(POLL)


def _job(app: Flask, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job is not None
        db.session.expunge(job)
        db.session.remove()
        return job


def _holder(workers: list[Worker], job: Job) -> Worker:
    import psutil

    pid = int(job.worker.split(":")[1])
    for worker in workers:
        tree = {worker.proc.pid} | {
            child.pid for child in psutil.Process(worker.proc.pid).children(recursive=True)
        }
        if pid in tree:
            return worker
    raise RuntimeError(f"no worker holds job {job.id} ({job.worker})")


def run_once(url: str) -> tuple[float, float, float]:
    """Return (undisturbed render, kill -> rendering again, kill -> ready) in seconds."""
    import redis

    redis.Redis.from_url(url).flushdb()
    with tempfile.TemporaryDirectory(prefix="bench-recovery-") as tmp:
        root = Path(tmp)
        app_settings = settings(
            DATABASE_URL=f"sqlite:///{root / 'bench.db'}",
            MEDIA_DIR=str(root / "media"),
            QUEUE_DIR=str(root / "queue"),
            SECRET_KEY="bench",
            TTS_ENGINE="espeak",
            TTS_FALLBACK="",
            BROKER_URL=url,
        )
        app = create_app(app_settings)
        auth = _token(app)
        client = app.test_client()
        workers = []
        for number in (1, 2):
            (root / f"w{number}").mkdir()
            workers.append(Worker(app_settings, root / f"w{number}"))
        try:
            for worker in workers:
                worker.wait_ready(app)
            start = time.monotonic()
            for slug in [submit(client, auth, payload) for payload in WARM_UPS]:
                _wait(client, slug, start)
            _empty_cache(app)
            start = time.monotonic()
            baseline = _wait(client, submit(client, auth, _payload("Ungestört")), start)
            say(f"    undisturbed render: {baseline:.1f} s")
            _empty_cache(app)

            res = client.post("/api/v1/articles", json=_payload("Mit Absturz"), headers=auth)
            slug, job_id = res.get_json()["slug"], res.get_json()["job"]
            while (job := _job(app, job_id)).status != "rendering" or not job.worker:
                time.sleep(POLL)
            claimed = time.monotonic()
            time.sleep(max(0.0, baseline / 2 - (time.monotonic() - claimed)))
            if _job(app, job_id).status != "rendering":
                raise RuntimeError("the render ended before the kill; make the article longer")
            killed, killed_wall = time.monotonic(), utcnow()
            kill_tree(_holder(workers, job).proc.pid)
            say(f"    killed the worker holding job {job_id} after {killed - claimed:.1f} s")
            ready = _wait(client, slug, killed)
            again = _job(app, job_id)
            found = (again.started_at - killed_wall).total_seconds() if again.started_at else 0.0
            with app.app_context():
                count = db.session.scalar(
                    select(func.count()).select_from(Rendition).where(Rendition.job_id == job_id)
                )
                db.session.remove()
            if count != 1 or again.attempts != 2:
                raise RuntimeError(f"{count} renditions, {again.attempts} attempts (want 1, 2)")
            say(f"    rendering again after {found:.1f} s, ready after {ready:.1f} s")
            return baseline, found, ready
        finally:
            for worker in workers:
                worker.stop()
            app.extensions["celery"].close()
            _close(app)


def run() -> list[Row]:
    defaults = settings()
    bound = defaults["JOB_LEASE_SECONDS"] + defaults["SWEEP_SECONDS"]
    say(
        f"  defaults: JOB_LEASE_SECONDS={defaults['JOB_LEASE_SECONDS']:g}, "
        f"SWEEP_SECONDS={defaults['SWEEP_SECONDS']:g}, "
        f"JOB_STALE_SECONDS={defaults['JOB_STALE_SECONDS']:g}"
    )
    with redis_server() as (url, what):
        say(f"  {what}")
        baseline, found, ready = run_once(url)
    notes = {
        "redis": what,
        "defaults": {
            k: defaults[k] for k in ("JOB_LEASE_SECONDS", "JOB_STALE_SECONDS", "SWEEP_SECONDS")
        },
    }
    return [
        Row(
            NAME,
            "kill -9 mid-render -> ready again (defaults)",
            ready,
            baseline,
            "s",
            limit=GOAL,
            goal_on="value",
            goal=f"value <= {GOAL:g} s",
            notes=notes | {"baseline": "the same render undisturbed"},
        ),
        Row(
            NAME,
            "kill -9 -> rendering again on the other worker",
            found,
            bound,
            "s",
            notes=notes | {"baseline": "JOB_LEASE_SECONDS + SWEEP_SECONDS (the bound)"},
        ),
    ]
