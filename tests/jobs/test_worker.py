"""The queue with real parts: Redis, a `celery worker` process, the API, and the sweeper."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from mutagen.mp3 import MP3
from sqlalchemy import select, update

from audionews import create_app
from audionews.db import db
from audionews.models import Briefing, Job, NewsDay, utcnow
from tests.conftest import WorkerProcess, base_settings, make_token
from tests.helpers import SHORT_ARTICLE, wait_status

pytestmark = pytest.mark.slow


@pytest.fixture
def queue_settings(tmp_path: Path, redis_url: str, database_url: str) -> dict[str, Any]:
    redis.Redis.from_url(redis_url).flushdb()
    # A news day that starts twelve hours from now: the articles of one test never fall on
    # two days, whenever the suite runs (the day boundary itself: tests/test_days.py).
    start_hour = (dt.datetime.now(dt.UTC).hour + 12) % 24
    return base_settings(
        tmp_path,
        BROKER_URL=redis_url,
        DATABASE_URL=database_url,
        TIMEZONE="UTC",
        DAY_START_HOUR=start_hour,
    )


@pytest.fixture
def queue_app(queue_settings: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(queue_settings)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def worker(
    queue_settings: dict[str, Any], queue_app: Flask, tmp_path: Path
) -> Iterator[WorkerProcess]:
    proc = WorkerProcess(queue_settings, tmp_path / "worker.log")
    try:
        proc.wait_ready(queue_app.extensions["celery"])
        yield proc
    finally:
        proc.stop()


def test_submit_through_api_render_on_worker_fetch_mp3(
    queue_app: Flask, worker: WorkerProcess
) -> None:
    client = queue_app.test_client()
    auth = {"Authorization": f"Bearer {make_token(queue_app)}"}
    res = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth)
    assert res.status_code == 201
    slug = res.get_json()["slug"]
    body = wait_status(client, slug, {"ready", "failed"}, timeout=90)
    assert body["status"] == "ready", body
    assert body["engine"] == "espeak"
    for kind in ("summary", "body", "episode"):
        media = client.get(body["audio"][kind])
        assert media.status_code == 200
        assert media.mimetype == "audio/mpeg"
        assert media.content_length == len(media.data)
        path = (
            Path(queue_app.config["AUDIONEWS"]["MEDIA_DIR"]) / body["audio"][kind].rsplit("/", 1)[1]
        )
        # mutagen counts the encoder padding that the recorded duration leaves out
        assert abs(MP3(path).info.length - body["duration"][kind]) < 0.15
    job = client.get(f"/api/v1/jobs/{body['job']}").get_json()
    assert job["status"] == "ready" and job["done"] == job["total"] > 0


def test_sweeper_renders_a_job_whose_message_was_lost(
    queue_app: Flask, queue_settings: dict[str, Any], redis_url: str, tmp_path: Path
) -> None:
    client = queue_app.test_client()
    auth = {"Authorization": f"Bearer {make_token(queue_app)}"}
    slug = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth).get_json()["slug"]
    # The broker loses the message (a restart without persistence) ...
    redis.Redis.from_url(redis_url).flushdb()
    # ... and the job has been silent longer than the stale limit.
    with queue_app.app_context():
        db.session.execute(update(Job).values(updated_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    assert client.get(f"/api/v1/articles/{slug}").get_json()["status"] == "queued"
    proc = WorkerProcess(queue_settings, tmp_path / "worker.log")
    try:
        proc.wait_ready(queue_app.extensions["celery"])
        body = wait_status(client, slug, {"ready", "failed"}, timeout=90)
    finally:
        proc.stop()
    assert body["status"] == "ready", body


def _briefing_rows(app: Flask) -> list[Briefing]:
    with app.app_context():
        rows = list(db.session.scalars(select(Briefing).order_by(Briefing.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def _wait_briefing(
    app: Flask, done: Any, timeout: float = 120, worker_log: Path | None = None
) -> Briefing:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = [row for row in _briefing_rows(app) if row.superseded_at is None]
        if rows and done(rows[-1]):
            return rows[-1]
        time.sleep(0.2)
    # Say what there is, so that a failure explains itself.
    rows = [
        (row.id, row.day, len(row.chapters), row.superseded_at is not None)
        for row in _briefing_rows(app)
    ]
    with app.app_context():
        days = [
            (d.day, d.changed, d.built, d.building_since, d.error)
            for d in db.session.scalars(select(NewsDay))
        ]
    log = ""
    if worker_log is not None and worker_log.exists():
        log = "\n".join(worker_log.read_text(errors="replace").splitlines()[-40:])
    raise AssertionError(
        f"no such briefing: (id, day, chapters, superseded) {rows}; days {days}\n{log}"
    )


def test_a_render_finishing_on_the_worker_rebuilds_the_briefing(
    queue_app: Flask, worker: WorkerProcess
) -> None:
    client = queue_app.test_client()
    auth = {"Authorization": f"Bearer {make_token(queue_app)}"}
    # Five at once: the worker builds the day's briefing once, after the last render.
    slugs = []
    for number in range(5):
        data = SHORT_ARTICLE | {"title": f"Meldung {number}", "summary": f"Satz {number}."}
        res = client.post("/api/v1/articles", json=data, headers=auth)
        assert res.status_code == 201
        slugs.append(res.get_json()["slug"])
    for slug in slugs:
        assert wait_status(client, slug, {"ready", "failed"}, timeout=120)["status"] == "ready"
    log = worker.log_path
    first = _wait_briefing(queue_app, lambda row: len(row.chapters) == 7, worker_log=log)
    assert [c["slug"] for c in first.chapters[1:-1]] == slugs[::-1]
    time.sleep(2)  # any further build would show up by now
    assert len(_briefing_rows(queue_app)) == 1
    feed = client.get("/feed/briefing.xml").get_data(as_text=True)
    assert first.files["audio"] in feed

    # One article changes: its render ends on the worker, and the briefing follows.
    changed = SHORT_ARTICLE | {"title": "Meldung 2", "summary": "Ganz neu gesagt."}
    assert client.put(f"/api/v1/articles/{slugs[2]}", json=changed, headers=auth).status_code == 200
    second = _wait_briefing(queue_app, lambda row: row.id != first.id, worker_log=log)
    assert second.files["audio"] != first.files["audio"] and second.synthesized == 0
    vtt = (
        Path(queue_app.config["AUDIONEWS"]["MEDIA_DIR"]) / second.files["transcript_vtt"]
    ).read_text()
    assert "Ganz neu gesagt." in vtt and "Satz 2." not in vtt
    # Withdrawn through the API: gone from the briefing.
    hidden = changed | {"published": False}
    assert client.put(f"/api/v1/articles/{slugs[2]}", json=hidden, headers=auth).status_code == 200
    third = _wait_briefing(queue_app, lambda row: len(row.chapters) == 6, worker_log=log)
    assert slugs[2] not in [c["slug"] for c in third.chapters]
