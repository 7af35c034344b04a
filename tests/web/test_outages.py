"""Database outages (#10): 503 with Retry-After while PostgreSQL is away, never 500; renders
retry over minutes and all end ready once it is back.

PostgreSQL is reached through `tests.faults.TcpProxy`, which the tests cut and restore.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from audionews import create_app
from audionews.db import db
from audionews.models import Article, Job, JobStatus, Rendition
from tests.conftest import WorkerProcess, base_settings, make_token
from tests.faults import TcpProxy
from tests.helpers import SHORT_ARTICLE
from tests.services import PrivateRedis
from tests.web.editor.conftest import login, make_editor
from tests.web.editor.helpers_editor import run_queued
from workers import tasks

# Every blueprint that reads the database: pages, feeds, API, back office.
READ_PATHS = (
    "/",
    "/feed.xml",
    "/feed/kurz.xml",
    "/artikel/{slug}",
    "/api/v1/articles",
    "/api/v1/articles/{slug}",
    "/api/v1/articles/{slug}/script",
    "/api/v1/jobs/{job}",
)
EDITOR_PATHS = (
    "/redaktion/",
    "/redaktion/artikel/{slug}",
    "/redaktion/aussprache",
    "/redaktion/tokens",
    "/redaktion/protokoll",
    "/redaktion/status.json",
)


@pytest.fixture
def proxy_url(postgres_url: str) -> Iterator[tuple[TcpProxy, str]]:
    proxy, url = TcpProxy.for_url(postgres_url)
    yield proxy, url
    proxy.close()


def check_answer(response: Any, path: str, seen: Counter[int]) -> None:
    """Allow only what a user may see during an outage: the page, or a German 503."""
    status = response.status_code
    seen[status] += 1
    body = response.get_data(as_text=True)
    assert status < 500 or status == 503, (path, status, body[:300])
    assert "Traceback" not in body
    if status == 503:
        assert response.headers.get("Retry-After", "").isdigit(), (path, response.headers)
        if response.mimetype == "application/json":
            assert "Datenbank" in response.get_json()["message"]
        else:
            assert 'lang="de"' in body and "Datenbank" in body, body[:300]


def paths(slug: str, job: int) -> list[str]:
    return [p.format(slug=slug, job=job) for p in READ_PATHS]


def test_every_blueprint_answers_503_while_the_database_is_away(
    tmp_path: Path, proxy_url: tuple[TcpProxy, str]
) -> None:
    proxy, url = proxy_url
    # Feeds are served from memory for FEED_RECHECK_SECONDS: ask the database every time.
    app = create_app(base_settings(tmp_path, DATABASE_URL=url, FEED_RECHECK_SECONDS=0))
    app.config["TESTING"] = True
    auth = {"Authorization": f"Bearer {make_token(app)}"}
    make_editor(app)
    client = app.test_client()
    editor = app.test_client()
    csrf = login(editor)
    created = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth).get_json()
    slug, job = created["slug"], created["job"]
    assert run_queued(app) == [JobStatus.READY]
    editor_paths = [p.format(slug=slug) for p in EDITOR_PATHS]
    before = {path: client.get(path).status_code for path in paths(slug, job)}
    before |= {path: editor.get(path).status_code for path in editor_paths}
    assert all(status == 200 for status in before.values()), before

    seen: Counter[int] = Counter()
    with proxy.outage():
        for path in paths(slug, job):
            check_answer(client.get(path), path, seen)
            assert seen[503], path
            seen.clear()
        for path in editor_paths:
            check_answer(editor.get(path), path, seen)
        writes = [
            client.post("/api/v1/articles", json=SHORT_ARTICLE | {"title": "Neu"}, headers=auth),
            client.put(f"/api/v1/articles/{slug}", json=SHORT_ARTICLE, headers=auth),
            client.post(f"/api/v1/articles/{slug}/render", headers=auth),
            editor.post(f"/redaktion/artikel/{slug}/vertonen", data={"csrf_token": csrf}),
            editor.post("/redaktion/tokens", data={"name": "CMS", "csrf_token": csrf}),
            app.test_client().post(
                "/redaktion/anmelden",
                data={"name": "anna", "password": "x", "csrf_token": csrf},
            ),
        ]
        for response in writes:
            check_answer(response, response.request.path, seen)
            assert response.status_code in {503, 400}, response.request.path
    assert seen[503] >= len(editor_paths) + 5
    assert proxy.refused > 0

    # Back: everything answers again, on the same app and its pooled connections.
    after = {path: client.get(path).status_code for path in paths(slug, job)}
    after |= {path: editor.get(path).status_code for path in editor_paths}
    assert after == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Article)) == 1
    app_dispose(app)


def app_dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_cut_ends_a_query_in_flight(proxy_url: tuple[TcpProxy, str]) -> None:
    """A cut fails the query under way at once: it must not hang (the fault must be real)."""
    import threading

    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    proxy, url = proxy_url
    engine = create_engine(url)
    outcome: list[BaseException | None] = []

    def query() -> None:
        try:
            with engine.connect() as conn:
                conn.execute(text("select pg_sleep(3)"))
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=query, daemon=True)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    with proxy.outage():
        thread.join(10)
    assert outcome and isinstance(outcome[0], OperationalError), outcome
    assert time.monotonic() - started < 2
    with engine.connect() as conn:  # and the way is open again
        assert conn.execute(text("select 1")).scalar() == 1
    engine.dispose()


def test_retries_wait_minutes_not_seconds() -> None:
    """An 8-second cut costs a task at most one retry; all retries span 20 minutes or more."""
    import random

    rng = random.Random(1)
    waits = [[tasks.retry_countdown(n, rng) for n in range(tasks.MAX_RETRIES)] for _ in range(500)]
    assert min(w[0] for w in waits) >= 10  # the first retry waits 10-20 s
    assert min(sum(w) for w in waits) >= 20 * 60
    assert max(max(w) for w in waits) <= tasks.RETRY_BACKOFF_MAX
    assert min(sum(w[:3]) for w in waits) > 60  # the old policy used 3 retries in 8 s


def test_a_day_build_retries_after_seconds_not_at_once(
    tmp_path: Path, proxy_url: tuple[TcpProxy, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The day's build backs off like a render: never a retry within 10 s of a cut.

    (Celery's own full jitter drew 2 s in a CI run; then a short cut uses up retries.)
    """
    from celery.exceptions import Retry

    proxy, url = proxy_url
    app = create_app(base_settings(tmp_path, DATABASE_URL=url))
    countdowns: list[float] = []

    def record_retry(*args: Any, countdown: float, **kwargs: Any) -> Retry:
        countdowns.append(countdown)
        return Retry("recorded", when=countdown)

    monkeypatch.setattr(tasks.build_day, "retry", record_retry)
    with proxy.outage(), app.app_context():
        for retries in range(tasks.MAX_RETRIES):
            with pytest.raises(Retry):
                _run_as_retry(retries)
        db.session.remove()
    assert len(countdowns) == tasks.MAX_RETRIES
    assert min(countdowns) >= 10, countdowns
    with proxy.outage(), app.app_context():  # the last one gives up: the sweeper finds the day
        result = tasks.build_day.apply(args=["2026-12-01"], retries=tasks.MAX_RETRIES)
        assert result.result == "failed"
        db.session.remove()
    app_dispose(app)


def _run_as_retry(retries: int) -> str:
    tasks.build_day.push_request(retries=retries)
    try:
        return tasks.build_day.run("2026-12-01")
    finally:
        tasks.build_day.pop_request()


def test_exhausted_retries_leave_the_job_for_the_sweeper(
    tmp_path: Path, proxy_url: tuple[TcpProxy, str]
) -> None:
    """The last retry's database error does not fail the job: the sweeper sends it again."""
    from audionews.jobs import sweeper

    proxy, url = proxy_url
    app = create_app(base_settings(tmp_path, DATABASE_URL=url))
    auth = {"Authorization": f"Bearer {make_token(app)}"}
    created = app.test_client().post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth)
    job_id = created.get_json()["job"]
    with app.app_context():
        article_id = db.session.get(Job, job_id).article_id
        db.session.remove()
    with proxy.outage(), app.app_context():
        result = tasks.render_article.apply(args=[article_id, 1, job_id], retries=tasks.MAX_RETRIES)
        assert result.result == JobStatus.QUEUED  # (no .get(): it refuses inside a worker)
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == JobStatus.QUEUED and not job.error
        assert sweeper.sweep(stale_seconds=0) == [job_id]
    app_dispose(app)


@pytest.mark.slow
def test_database_cut_with_a_real_worker(
    tmp_path: Path, proxy_url: tuple[TcpProxy, str], own_redis: PrivateRedis
) -> None:
    """Cut PostgreSQL for 8 s under a real worker and a busy web app; all ends ready once."""
    proxy, url = proxy_url
    settings = base_settings(tmp_path, DATABASE_URL=url, BROKER_URL=own_redis.url)
    app = create_app(settings)
    app.config["TESTING"] = True
    auth = {"Authorization": f"Bearer {make_token(app)}"}
    make_editor(app)
    client = app.test_client()
    editor = app.test_client()
    login(editor)
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    try:
        worker.wait_ready(app.extensions["celery"])
        # One long render that the cut meets half-way, and short ones queued behind it.
        long_body = "\n\n".join(
            f"Im Absatz {n} steht der Satz Nummer {n}. Er endet hier, und {n} weitere folgen."
            for n in range(1, 120)
        )
        long_article = SHORT_ARTICLE | {"title": "Lange Meldung zum Ausfall", "body": long_body}
        created = client.post("/api/v1/articles", json=long_article, headers=auth).get_json()
        slugs, jobs = [created["slug"]], [created["job"]]
        for number in range(7):
            article = SHORT_ARTICLE | {
                "title": f"Meldung Nummer {number}: Ausfall",
                "body": SHORT_ARTICLE["body"] + f" Absatz {number}. " * 20,
            }
            created = client.post("/api/v1/articles", json=article, headers=auth).get_json()
            slugs.append(created["slug"])
            jobs.append(created["job"])
        deadline = time.monotonic() + 60
        while True:  # cut while the long render is under way
            progress = client.get(f"/api/v1/jobs/{jobs[0]}").get_json()
            if progress["status"] == JobStatus.RENDERING:
                break
            assert progress["status"] == JobStatus.QUEUED, progress
            assert time.monotonic() < deadline, progress
            time.sleep(0.05)
        time.sleep(1.5)
        seen: Counter[int] = Counter()
        proxy.cut()
        cut_at = time.monotonic()
        while time.monotonic() - cut_at < 8:
            for path in [*paths(slugs[0], jobs[0]), "/redaktion/"]:
                response = (editor if path.startswith("/redaktion") else client).get(path)
                check_answer(response, path, seen)
            response = client.post(
                "/api/v1/articles", json=SHORT_ARTICLE | {"title": "Im Ausfall"}, headers=auth
            )
            check_answer(response, "POST /api/v1/articles", seen)
            time.sleep(0.2)
        proxy.restore()
        restored_at = time.monotonic()
        assert seen[503] > 0

        ready_at = wait_all_ready(client, slugs, timeout=240)
        print(
            f"\nDB cut 8 s: answers during the cut {dict(seen)}; all {len(slugs)} ready "
            f"{ready_at - restored_at:.1f} s after the restore"
        )
        for path in paths(slugs[0], jobs[0]):
            assert client.get(path).status_code == 200, path
        with app.app_context():
            for slug in slugs:
                article = db.session.scalar(select(Article).where(Article.slug == slug))
                renditions = db.session.scalar(
                    select(func.count())
                    .select_from(Rendition)
                    .where(Rendition.article_id == article.id)
                )
                assert renditions == 1, slug
                failed = db.session.scalar(
                    select(func.count())
                    .select_from(Job)
                    .where(Job.article_id == article.id, Job.status == JobStatus.FAILED)
                )
                assert failed == 0, slug
        log = (tmp_path / "worker.log").read_text(errors="replace")
        countdowns = [float(s) for s in re.findall(r"Retry in (\d+(?:\.\d+)?)s", log)]
        assert countdowns, "no task met the cut: nothing was proven"
        assert min(countdowns) >= 10, countdowns
    finally:
        worker.stop()
        app_dispose(app)


def wait_all_ready(client: FlaskClient, slugs: list[str], timeout: float) -> float:
    deadline = time.monotonic() + timeout
    pending = set(slugs)
    while pending and time.monotonic() < deadline:
        for slug in list(pending):
            response = client.get(f"/api/v1/articles/{slug}")
            assert response.status_code == 200, response.get_data(as_text=True)
            status = response.get_json()["status"]
            assert status != JobStatus.FAILED, response.get_json()
            if status == JobStatus.READY:
                pending.discard(slug)
        time.sleep(0.5)
    assert not pending, f"not ready after {timeout} s: {sorted(pending)}"
    return time.monotonic()
