"""Leases and heartbeats of rendering jobs (issue 10, item 3, the job side).

A render holds a lease that a thread renews while it runs, through phases that report nothing
for longer than the lease; the sweeper re-queues only jobs whose lease ran out; a render that
lost its lease publishes nothing; the phase shows in the API.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text, update

from audionews import catalog
from audionews.articles import parse_json
from audionews.db import db
from audionews.jobs import render_job, sweeper
from audionews.jobs.lease import Lease
from audionews.models import Job, NewsDay, Rendition, utcnow
from audionews.render.renderer import Renderer
from tests.conftest import make_token
from tests.helpers import SHORT_ARTICLE

LEASE = 1.0


@pytest.fixture
def lease_app(app: Flask) -> Flask:
    app.config["AUDIONEWS"].update(JOB_LEASE_SECONDS=LEASE, JOB_STALE_SECONDS=LEASE)
    return app


def saved() -> tuple[int, int]:
    result = catalog.save(parse_json(SHORT_ARTICLE))
    assert result.job is not None
    return result.article.id, result.job.id


def job_row(app: Flask, job_id: int) -> dict[str, Any]:
    """Read the job as another process would, outside the render's session."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as conn:
            row = conn.execute(text("select * from job where id = :id"), {"id": job_id})
            return dict(row.mappings().one())
    finally:
        engine.dispose()


def renditions(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Rendition)) or 0)


def test_a_long_silent_phase_keeps_the_lease(
    lease_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Encoding for three leases without one progress report: nobody renders it again."""
    app = lease_app
    original = Renderer.render
    calls: list[int] = []
    seen: dict[str, Any] = {"sweeps": [], "duplicate": None, "beats": set()}

    def slow(self: Renderer, item: Any, progress: Any = None) -> Any:
        calls.append(1)
        output = original(self, item, progress)
        if len(calls) > 1:
            return output
        deadline = time.monotonic() + 3 * LEASE
        while time.monotonic() < deadline:  # say, joining a two-hour MP3, silently
            with app.app_context():  # a new context: the sweeper's own session
                seen["sweeps"].extend(sweeper.sweep())
                db.session.remove()
            seen["beats"].add(job_row(app, job_id)["heartbeat_at"])
            time.sleep(0.2)

        def duplicate() -> None:  # the sweeper's message, had it sent one, on another worker
            with app.test_request_context():
                seen["duplicate"] = render_job.run_render(article_id, 1, job_id)
                db.session.remove()

        thread = threading.Thread(target=duplicate)
        thread.start()
        thread.join(30)
        return output

    monkeypatch.setattr(Renderer, "render", slow)
    with app.test_request_context():
        article_id, job_id = saved()
        assert render_job.run_render(article_id, 1, job_id) == "ready"
    assert seen["sweeps"] == [], "the sweeper took a job whose worker was alive"
    assert seen["duplicate"] == "rendering"
    assert len(calls) == 1 and renditions(app) == 1
    assert len(seen["beats"]) >= 3, "the heartbeat went on while nothing reported progress"
    row = job_row(app, job_id)
    assert row["attempts"] == 1 and row["worker"] == "" and row["lease_until"] is None


def test_the_phase_is_stored_and_shown(lease_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    app = lease_app
    client = app.test_client()
    auth = {"Authorization": f"Bearer {make_token(app)}"}
    original = Renderer.render
    shown: list[tuple[Any, ...]] = []

    def wait_for(job_id: int, phase: str) -> None:
        deadline = time.monotonic() + 10
        while job_row(app, job_id)["phase"] != phase and time.monotonic() < deadline:
            time.sleep(0.05)

        def ask() -> None:  # an API client: another thread, so another session
            job = client.get(f"/api/v1/jobs/{job_id}", headers=auth).get_json()
            status = client.get("/api/v1/articles/kurzmeldung-testlauf", headers=auth).get_json()
            shown.append((job["phase"], job["done"], job["total"], status["progress"]))

        thread = threading.Thread(target=ask)
        thread.start()
        thread.join(30)

    def phased(self: Renderer, item: Any, progress: Any = None) -> Any:
        progress(2, 10)  # the renderer of today: two arguments, synthesis
        wait_for(job_id, "synthesis")
        progress(3, 10, "encoding")
        wait_for(job_id, "encoding")
        progress(10, 10, "publishing")
        wait_for(job_id, "publishing")
        return original(self, item, progress)

    monkeypatch.setattr(Renderer, "render", phased)
    res = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth).get_json()
    article_id, job_id = 1, res["job"]
    with app.test_request_context():
        assert render_job.run_render(article_id, 1, job_id) == "ready"
    assert shown == [
        ("synthesis", 2, 10, {"done": 2, "total": 10, "phase": "synthesis"}),
        ("encoding", 3, 10, {"done": 3, "total": 10, "phase": "encoding"}),
        ("publishing", 10, 10, {"done": 10, "total": 10, "phase": "publishing"}),
    ]
    job = client.get(f"/api/v1/jobs/{job_id}", headers=auth).get_json()
    assert job["status"] == "ready" and job["phase"] is None and job["done"] == job["total"]


def test_a_render_that_lost_its_lease_publishes_nothing(
    lease_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = lease_app
    original = Renderer.render

    def overtaken(self: Renderer, item: Any, progress: Any = None) -> Any:
        output = original(self, item, progress)
        # Meanwhile the sweeper gave the job to another worker (say, this one was frozen
        # for longer than the lease), and that worker took it.
        with db.engine.begin() as conn:
            conn.execute(
                update(Job).values(worker="other:2:y", lease_until=utcnow() + timedelta(seconds=60))
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            progress(1, 1, "publishing")  # raises once the heartbeat has noticed
            time.sleep(0.05)
        return output

    monkeypatch.setattr(Renderer, "render", overtaken)
    with app.test_request_context():
        article_id, job_id = saved()
        assert render_job.run_render(article_id, 1, job_id) == "rendering"
    assert renditions(app) == 0, "the other worker publishes; this one must not"
    assert job_row(app, job_id)["worker"] == "other:2:y"


def test_the_sweeper_requeues_only_jobs_whose_lease_ran_out(lease_app: Flask) -> None:
    app = lease_app
    with app.test_request_context():
        article_id, job_id = saved()
        long_ago = utcnow() - timedelta(hours=1)
        # Silent for an hour, but its lease was renewed a moment ago: alive.
        db.session.execute(
            update(Job).values(
                status="rendering",
                worker="busy:1:x",
                updated_at=long_ago,
                lease_until=utcnow() + timedelta(seconds=30),
            )
        )
        db.session.commit()
        assert sweeper.sweep() == []
        db.session.execute(update(Job).values(lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert sweeper.sweep() == [job_id]
        job = db.session.get(Job, job_id)
        assert job is not None and (job.status, job.worker, job.lease_until) == ("queued", "", None)
        assert render_job.run_render(article_id, 1, job_id) == "ready"


def test_a_render_that_keeps_killing_its_worker_fails_with_a_reason(lease_app: Flask) -> None:
    app = lease_app
    with app.test_request_context():
        _, job_id = saved()
        db.session.execute(
            update(Job).values(
                status="rendering",
                worker="dead:1:x",
                attempts=sweeper.MAX_ATTEMPTS,
                lease_until=utcnow() - timedelta(seconds=5),
            )
        )
        db.session.commit()
        assert sweeper.sweep() == []
        job = db.session.get(Job, job_id)
        assert job is not None and job.status == "failed"
        assert "5-mal abgebrochen" in job.error


def test_temporary_files_of_a_dead_render_go_and_those_of_live_ones_stay(
    lease_app: Flask,
) -> None:
    app = lease_app
    app.config["AUDIONEWS"].update(JOB_LEASE_SECONDS=60.0, JOB_STALE_SECONDS=300.0)
    storage = app.extensions["storage"]
    storage.root.mkdir(parents=True, exist_ok=True)

    def temp(name: str, age: float) -> Path:
        path = storage.root / f".tmp-{name}.mp3"
        path.write_bytes(b"half")
        os.utime(path, (time.time() - age, time.time() - age))
        return path

    with app.test_request_context():
        saved()
        # A render that started 100 s ago and holds its lease writes files younger than that.
        db.session.execute(
            update(Job).values(
                status="rendering",
                worker="alive:1:x",
                started_at=utcnow() - timedelta(seconds=100),
                lease_until=utcnow() + timedelta(seconds=30),
            )
        )
        db.session.commit()
        live = temp("live", 90)
        dead = temp("dead", 200)
        assert sweeper.cleanup_abandoned_temp() == 1
        assert live.exists() and not dead.exists()
        # Without renders in progress, anything older than a lease is abandoned.
        db.session.execute(update(Job).values(status="ready", lease_until=None))
        db.session.commit()
        preview = temp("preview", 5)
        assert sweeper.cleanup_abandoned_temp() == 1
        assert preview.exists() and not live.exists()
        # A day's build in progress (the briefing) protects its files as a render does.
        db.session.add(
            NewsDay(day=dt.date(2026, 12, 1), building_since=utcnow() - timedelta(seconds=100))
        )
        db.session.commit()
        briefing = temp("briefing", 90)
        assert sweeper.cleanup_abandoned_temp() == 0 and briefing.exists()


def test_a_long_assembly_writes_progress_while_encoding_and_joining(
    lease_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10, item 3: progress reaches the job row in every phase after synthesis too.

    Encoding and joining are slowed down (as a two-hour article's are), and every UPDATE of
    the job row the lease thread makes is recorded: it writes the encoding and joining phase
    with their counts while they run, and its heartbeat moves on meanwhile.
    """
    from audionews.audio import join
    from audionews.render import assemble

    app = lease_app
    real_encode, real_span = assemble.encode_chunk, join.chunk_span

    def slow_encode(*args: Any, **kwargs: Any) -> bytes:
        time.sleep(0.4)
        return real_encode(*args, **kwargs)

    def slow_span(path: Path) -> Any:
        time.sleep(0.3)
        return real_span(path)

    monkeypatch.setattr(assemble, "encode_chunk", slow_encode)
    monkeypatch.setattr(join, "chunk_span", slow_span)
    written: list[tuple[str, int, int]] = []
    beats: dict[str, int] = {}
    real_beat = Lease._beat

    def beat(self: Lease) -> None:  # what each heartbeat writes to the job row
        state = self._state
        real_beat(self)
        if state is not None and not self.lost.is_set():
            done, total, phase = state
            if not written or written[-1] != (phase, done, total):
                written.append((phase, done, total))
            beats[phase] = beats.get(phase, 0) + 1

    monkeypatch.setattr(Lease, "_beat", beat)
    with app.test_request_context():
        article_id, job_id = saved()
        assert render_job.run_render(article_id, 1, job_id) == "ready"
    phases = [phase for phase, _, _ in written]
    assert {"synthesis", "encoding", "joining"} <= set(phases), written
    # in the renderer's order, each with its own counts
    order = [p for p in Renderer.PHASES if p in phases]
    assert sorted(set(phases), key=phases.index) == order, written
    for phase, done, total in written:
        assert 0 <= done <= total, (phase, done, total)
    encoding = [(done, total) for phase, done, total in written if phase == "encoding"]
    assert any(0 < done < total for done, total in encoding), encoding
    assert beats.get("encoding", 0) + beats.get("joining", 0) >= 2, beats
