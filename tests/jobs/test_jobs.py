"""Render jobs against the database: idempotence, superseded revisions, failures."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from audionews import catalog
from audionews.articles import parse_json
from audionews.db import db
from audionews.jobs import render_job
from audionews.jobs.status import article_status
from audionews.models import Article, Job, Rendition, utcnow
from audionews.tts.breaker import breaker_for
from tests.helpers import SHORT_ARTICLE


@pytest.fixture(autouse=True)
def _closed_breakers() -> None:
    for name in ("gtts", "espeak"):
        breaker_for(name).reset()


def test_job_renders_once_even_if_delivered_twice(app: Flask) -> None:
    with app.test_request_context():
        result = catalog.save(parse_json(SHORT_ARTICLE))
        assert result.job is not None
        article_id, job_id = result.article.id, result.job.id
        assert render_job.run_render(article_id, 1, job_id) == "ready"
        # The same message again (worker lost before the ack) finds the work done.
        assert render_job.run_render(article_id, 1, job_id) == "ready"
        assert db.session.scalar(select(func.count()).select_from(Rendition)) == 1
        status = article_status(result.article)
        assert status["status"] == "ready" and status["engine"] == "espeak"
        job = db.session.get(Job, job_id)
        assert job is not None and job.done == job.total > 0


def test_outdated_revision_is_superseded(app: Flask) -> None:
    with app.test_request_context():
        first = catalog.save(parse_json(SHORT_ARTICLE))
        assert first.job is not None
        old_job = first.job.id
        catalog.save(parse_json(SHORT_ARTICLE | {"body": "Ganz anders. Wirklich."}))
        assert render_job.run_render(first.article.id, 1, old_job) == "superseded"
        assert db.session.scalar(select(func.count()).select_from(Rendition)) == 0


def test_failed_rerender_keeps_the_last_good_audio(app: Flask) -> None:
    with app.test_request_context():
        result = catalog.save(parse_json(SHORT_ARTICLE))
        assert result.job is not None
        render_job.run_render(result.article.id, 1, result.job.id)
        good = article_status(result.article)["audio"]

        changed = catalog.save(parse_json(SHORT_ARTICLE | {"body": "Neu. Und anders."}))
        assert changed.job is not None
        app.config["AUDIONEWS"].update(TTS_ENGINE="gtts", TTS_FALLBACK="", TTS_RETRIES=1)
        assert render_job.run_render(changed.article.id, 2, changed.job.id) == "failed"
        status = article_status(changed.article)
        assert status["status"] == "failed"
        assert "gtts" in status["error"] and "Traceback" not in status["error"]
        assert status["audio"] == good and status["rendered_revision"] == 1


def test_explicit_rerender_makes_a_new_rendition(app: Flask) -> None:
    with app.test_request_context():
        result = catalog.save(parse_json(SHORT_ARTICLE))
        assert result.job is not None
        render_job.run_render(result.article.id, 1, result.job.id)
        (job,) = catalog.request_render([result.article])
        assert render_job.run_render(result.article.id, 1, job.id) == "ready"
        renditions = db.session.scalars(select(Rendition)).all()
        assert len(renditions) == 2
        assert renditions[1].synthesized == 0  # everything came from the segment cache


def test_unknown_engine_fails_the_job_with_a_sentence(app: Flask) -> None:
    with app.test_request_context():
        result = catalog.save(parse_json(SHORT_ARTICLE))
        assert result.job is not None
        app.config["AUDIONEWS"].update(TTS_ENGINE="polly")
        assert render_job.run_render(result.article.id, 1, result.job.id) == "failed"
        status = article_status(result.article)
        assert "polly" in status["error"] and "espeak" in status["error"]


def test_a_render_overtaken_by_a_new_revision_does_not_go_live(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audionews.render.renderer import Renderer

    original = Renderer.render

    def render_while_an_editor_saves(self: Renderer, *args: object, **kwargs: object) -> object:
        output = original(self, *args, **kwargs)  # type: ignore[arg-type]
        # Another process saves revision 2 while revision 1 is still being encoded.
        with db.engine.begin() as conn:
            conn.execute(update(Article).values(revision=2))
        return output

    monkeypatch.setattr(Renderer, "render", render_while_an_editor_saves)
    with app.test_request_context():
        result = catalog.save(parse_json(SHORT_ARTICLE))
        assert result.job is not None
        assert render_job.run_render(result.article.id, 1, result.job.id) == "superseded"
        assert db.session.scalar(select(func.count()).select_from(Rendition)) == 0


def test_a_transient_database_error_requeues_then_renders(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audionews.render.renderer import Renderer

    original = Renderer.render
    calls = {"n": 0}

    def flaky(self: Renderer, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("select 1", {}, Exception("server closed the connection"))
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Renderer, "render", flaky)
    with app.test_request_context():
        result = catalog.save(parse_json(SHORT_ARTICLE))
        assert result.job is not None
        with pytest.raises(OperationalError):
            render_job.run_render(result.article.id, 1, result.job.id, may_retry=True)
        job = db.session.get(Job, result.job.id)
        assert job is not None and job.status == "queued"
        # The task's retry renders it.
        assert render_job.run_render(result.article.id, 1, result.job.id, may_retry=True) == "ready"


def test_without_a_job_id_a_rendered_revision_is_not_rendered_again(app: Flask) -> None:
    with app.test_request_context():
        result = catalog.save(parse_json(SHORT_ARTICLE))
        assert render_job.run_render(result.article.id, 1) == "ready"
        assert render_job.run_render(result.article.id, 1) == "ready"
        assert db.session.scalar(select(func.count()).select_from(Rendition)) == 1


def test_a_duplicate_message_does_not_render_twice_at_once(app: Flask) -> None:
    with app.test_request_context():
        result = catalog.save(parse_json(SHORT_ARTICLE))
        assert result.job is not None
        job = db.session.get(Job, result.job.id)
        assert job is not None
        # A worker took the first message a moment ago and holds the lease.
        job.status, job.worker = "rendering", "elsewhere:1:abc"
        job.lease_until = utcnow() + timedelta(seconds=60)
        db.session.commit()
        assert render_job.run_render(result.article.id, 1, job.id) == "rendering"
        assert db.session.scalar(select(func.count()).select_from(Rendition)) == 0


def test_worker_sweeper_removes_stale_temporary_files_while_running(
    sqlite_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workers.tasks import Sweeper

    storage = sqlite_app.extensions["storage"]
    storage.root.mkdir(parents=True, exist_ok=True)
    sqlite_app.config["AUDIONEWS"]["SWEEP_SECONDS"] = 0.05
    monkeypatch.setattr(Sweeper, "cleanup_seconds", 0.1)
    thread = Sweeper(sqlite_app)
    thread.start()
    try:
        time.sleep(0.2)
        # A render interrupted long ago left these while the worker kept running.
        stale = storage.root / ".tmp-interrupted.mp3"
        fresh = storage.root / ".tmp-rendering-now.mp3"
        for path in (stale, fresh):
            path.write_bytes(b"half a file")
        old = time.time() - 7200
        os.utime(stale, (old, old))
        deadline = time.monotonic() + 5
        while stale.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not stale.exists()
        assert fresh.exists(), "a render in progress keeps its file"
    finally:
        thread.stop.set()
        thread.thread.join(5)


def test_engine_chain_follows_every_engine_setting() -> None:
    from audionews import config

    settings = config.defaults() | {"TTS_ENGINE": "gtts", "TTS_FALLBACK": "espeak"}
    chain = render_job.engine_chain(settings)
    assert render_job.engine_chain(dict(settings)) is chain, "one chain per configuration"
    changed = render_job.engine_chain(settings | {"TTS_RETRIES": 1, "TTS_TIMEOUT": 2.0})
    assert changed is not chain
    assert (changed.primary.attempts, changed.primary.timeout) == (1, 2.0)  # type: ignore[attr-defined]
