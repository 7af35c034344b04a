"""Broker outage (#10): kill -9 the Redis under a real worker while jobs are queued.

Redis without persistence loses every queued message. The database still knows each job, and
the sweeper sends the lost ones again: every article ends ready, each rendered once. The API
keeps accepting articles while Redis is away (their jobs wait in the database).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from audionews import create_app
from audionews.db import db
from audionews.models import Article, Job, JobStatus, Rendition
from tests.conftest import WorkerProcess, base_settings, make_token
from tests.helpers import SHORT_ARTICLE, wait_days_built
from tests.services import PrivateRedis
from tests.web.editor.conftest import csrf_token, make_editor
from tests.web.test_outages import wait_all_ready

# Short enough for a test; a deployment keeps the defaults (docs/deploy.md).
STALE_SECONDS = 15.0
SWEEP_SECONDS = 3.0


def article(number: int) -> dict[str, object]:
    body = "\n\n".join(
        f"Absatz {n} der Meldung {number}: Die Lage bleibt angespannt. Es folgen {n} Sätze."
        for n in range(1, 12)
    )
    return SHORT_ARTICLE | {"title": f"Meldung {number} zum Brokerausfall", "body": body}


@pytest.mark.slow
def test_kill_redis_with_queued_jobs(
    tmp_path: Path, postgres_url: str, own_redis: PrivateRedis
) -> None:
    settings = base_settings(
        tmp_path,
        DATABASE_URL=postgres_url,
        BROKER_URL=own_redis.url,
        JOB_STALE_SECONDS=STALE_SECONDS,
        SWEEP_SECONDS=SWEEP_SECONDS,
    )
    app = create_app(settings)
    app.config["TESTING"] = True
    auth = {"Authorization": f"Bearer {make_token(app)}"}
    make_editor(app)
    client = app.test_client()
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    try:
        worker.wait_ready(app.extensions["celery"])
        slugs = []
        for number in range(12):
            response = client.post("/api/v1/articles", json=article(number), headers=auth)
            assert response.status_code == 201
            slugs.append(response.get_json()["slug"])
        # Kill once the worker is busy and messages still wait in Redis.
        deadline = time.monotonic() + 60
        while client.get(f"/api/v1/articles/{slugs[0]}").get_json()["status"] == "queued":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        queued_at_kill = sum(
            client.get(f"/api/v1/articles/{slug}").get_json()["status"] == "queued"
            for slug in slugs
        )
        own_redis.kill()
        killed_at = time.monotonic()
        assert queued_at_kill >= 4, "the queue was empty already: nothing was proven"

        # The API keeps accepting articles, at once and without a 500.
        slowest = 0.0
        for number in range(12, 15):
            started = time.monotonic()
            response = client.post("/api/v1/articles", json=article(number), headers=auth)
            slowest = max(slowest, time.monotonic() - started)
            assert response.status_code == 201, response.get_data(as_text=True)
            slugs.append(response.get_json()["slug"])
        assert slowest < 5
        for path in ("/", "/feed.xml", "/api/v1/articles", f"/api/v1/articles/{slugs[0]}"):
            assert client.get(path).status_code == 200, path
        # The login's rate limit counts in Redis: the login page still answers.
        login_client = app.test_client()
        response = login_client.post(
            "/redaktion/anmelden",
            data={"name": "anna", "password": "falsch", "csrf_token": csrf_token(login_client)},
        )
        assert response.status_code == 400, response.get_data(as_text=True)[:300]
        while time.monotonic() - killed_at < 5:
            time.sleep(0.1)

        own_redis.start()  # the same port, empty: the queued messages are gone
        restarted_at = time.monotonic()
        ready_at = wait_all_ready(client, slugs, timeout=180)
        print(
            f"\nRedis killed with {queued_at_kill} jobs queued, down "
            f"{restarted_at - killed_at:.1f} s; all {len(slugs)} ready "
            f"{ready_at - restarted_at:.1f} s after the restart "
            f"(JOB_STALE_SECONDS={STALE_SECONDS:g}, SWEEP_SECONDS={SWEEP_SECONDS:g}); "
            f"POST /api/v1/articles took at most {slowest:.2f} s during the outage"
        )
        with app.app_context():
            for slug in slugs:
                row = db.session.scalar(select(Article).where(Article.slug == slug))
                renditions = db.session.scalar(
                    select(func.count())
                    .select_from(Rendition)
                    .where(Rendition.article_id == row.id, Rendition.revision == row.revision)
                )
                assert renditions == 1, slug  # rendered exactly once
                failed = db.session.scalar(
                    select(func.count())
                    .select_from(Job)
                    .where(Job.article_id == row.id, Job.status == JobStatus.FAILED)
                )
                assert failed == 0, slug
        log = (tmp_path / "worker.log").read_text(errors="replace")
        assert "sweeper re-queues" in log  # found again by the sweeper, not by luck
        # The day's build (briefing, DAISY) follows the last render and writes temporary files
        # while it runs; once it has ended, none may be left.
        wait_days_built(app)
        media = Path(settings["MEDIA_DIR"])
        assert not list(media.glob(".tmp-*")), "temporary files left behind"
    finally:
        worker.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
