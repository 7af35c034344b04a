"""The embedded mode: no broker, an in-process Celery worker renders."""

from __future__ import annotations

import os
import time
from pathlib import Path

from flask import Flask

from tests.conftest import make_token
from tests.helpers import SHORT_ARTICLE, wait_status
from workers.embedded import start_embedded


def test_embedded_worker_renders_api_submissions(sqlite_app: Flask) -> None:
    client = sqlite_app.test_client()
    auth = {"Authorization": f"Bearer {make_token(sqlite_app)}"}
    worker = start_embedded(sqlite_app)
    try:
        slug = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth).get_json()["slug"]
        body = wait_status(client, slug, {"ready", "failed"})
        assert body["status"] == "ready", body
        assert body["engine"] == "espeak"
        first_audio = body["audio"]

        # A new revision renders again; the old audio stays until the new one is ready.
        changed = SHORT_ARTICLE | {"body": "Ein ganz neuer Hauptartikel. Er ist kurz."}
        res = client.post("/api/v1/articles", json=changed, headers=auth).get_json()
        assert res["revision"] == 2
        # The worker may even have finished revision 2 before this answer was built.
        if res["rendered_revision"] == 1:
            assert res["audio"] == first_audio
        else:
            assert res["rendered_revision"] == 2 and res["audio"] is not None
        body = wait_status(client, slug, {"ready", "failed"})
        assert body["revision"] == 2 and body["status"] == "ready"
        assert body["audio"]["body"] != first_audio["body"]
        assert body["audio"]["summary"] == first_audio["summary"]
    finally:
        worker.stop()


def test_embedded_start_requeues_jobs_of_an_earlier_process(sqlite_app: Flask) -> None:
    client = sqlite_app.test_client()
    auth = {"Authorization": f"Bearer {make_token(sqlite_app)}"}
    slug = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth).get_json()["slug"]
    # The message is lost (say the queue folder was wiped) while the job row says queued.
    for message in (Path(sqlite_app.config["AUDIONEWS"]["QUEUE_DIR"]) / "messages").iterdir():
        message.unlink()
    worker = start_embedded(sqlite_app, requeue_all=True)
    try:
        body = wait_status(client, slug, {"ready", "failed"})
    finally:
        worker.stop()
    assert body["status"] == "ready", body


def test_embedded_worker_sweeps_like_a_celery_worker(sqlite_app: Flask) -> None:
    # The sweeper re-queues lost renders and removes temporary files of interrupted ones
    # while `audionews serve` runs, not only in `audionews worker`.
    settings = sqlite_app.config["AUDIONEWS"]
    settings.update(SWEEP_SECONDS=0.2, JOB_STALE_SECONDS=0.0)
    client = sqlite_app.test_client()
    auth = {"Authorization": f"Bearer {make_token(sqlite_app)}"}
    slug = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth).get_json()["slug"]
    for message in (Path(settings["QUEUE_DIR"]) / "messages").iterdir():
        message.unlink()  # lost, and the start does not re-queue (requeue_all=False)
    media = Path(settings["MEDIA_DIR"])
    media.mkdir(parents=True, exist_ok=True)
    stale = media / ".tmp-interrupted.mp3"
    stale.write_bytes(b"half a file")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    worker = start_embedded(sqlite_app)
    try:
        body = wait_status(client, slug, {"ready", "failed"}, timeout=30)
    finally:
        worker.stop()
    assert body["status"] == "ready", body
    assert not stale.exists()
