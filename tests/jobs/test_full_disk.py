"""A full disk (issue 10, item 5): a real full filesystem for the media folder and its cache.

A small tmpfs is mounted for MEDIA_DIR (root only; skipped with the reason elsewhere) and
filled up. Renders wait with a German reason instead of failing, nothing answers 5xx (API,
pages, both feeds with a cover still to be written, the back office and its previews), the
previous audio stays served, no temporary file stays behind; once there is room again, the
waiting job becomes ready, once.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from audionews import create_app
from audionews.audio import RATE
from audionews.audio.decode import decode_mp3
from audionews.cli_progress import wait_for_jobs
from audionews.db import db
from audionews.jobs import render_job
from audionews.models import Article, Job, JobStatus, Rendition
from audionews.render import renderer as renderer_module
from audionews.render.cover import _unwritten
from audionews.render.storage import NO_SPACE, Storage
from tests.conftest import WorkerProcess, base_settings, make_token
from tests.faults import SmallDisk, small_disk
from tests.helpers import SHORT_ARTICLE, wait_status
from tests.web.editor.conftest import login, make_editor

TEMP_PREFIX = ".tmp-"
EDITED = dict(SHORT_ARTICLE, body=SHORT_ARTICLE["body"].replace("kühl", "kalt und nass"))


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    with small_disk(tmp_path / "media") as mounted:
        yield mounted


def temp_files(media: Path) -> list[Path]:
    return [p for p in media.rglob(f"{TEMP_PREFIX}*") if p.is_file()]


def media_files(media: Path) -> dict[str, int]:
    """Every file in the media folder (cache included) and its size, the filler aside."""
    return {
        str(p.relative_to(media)): p.stat().st_size
        for p in media.rglob("*")
        if p.is_file() and p.name != "filler.bin"
    }


class Checked:
    """A test client that records every answer's status: none may be 5xx."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.seen: list[tuple[str, int]] = []

    def __getattr__(self, method: str) -> Any:
        def call(path: str, *args: Any, **kwargs: Any) -> Any:
            response = getattr(self.client, method)(path, *args, **kwargs)
            self.seen.append((f"{method.upper()} {path}", response.status_code))
            return response

        return call

    def server_errors(self) -> list[tuple[str, int]]:
        return [(what, status) for what, status in self.seen if status >= 500]


def image_url(feed: str) -> str:
    match = re.search(r'<itunes:image href="([^"]+)"', feed)
    assert match, feed[:2000]
    return match.group(1)


@dataclass
class Full:
    """An app whose media folder is a full disk, with an article rendered before it filled."""

    app: Flask
    disk: SmallDisk
    client: Checked
    editor: Checked
    auth: dict[str, str]
    slug: str
    article_id: int
    old: dict[str, Any]  # the API's view of the article before the disk filled


@pytest.fixture
def rendered(tmp_path: Path, disk: SmallDisk) -> Iterator[Full]:
    """The app with one article rendered on the small disk, not full yet."""
    app = create_app(base_settings(tmp_path, MEDIA_DIR=str(disk.path)))
    app.config["TESTING"] = True
    _unwritten.clear()  # covers an earlier test had no room for
    auth = {"Authorization": f"Bearer {make_token(app)}"}
    client = Checked(app.test_client())
    make_editor(app)
    editor = Checked(app.test_client())
    login(editor.client)
    created = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth).get_json()
    slug = created["slug"]
    with app.app_context():
        article_id = db.session.scalar(select(Article.id).where(Article.slug == slug))
        assert render_job.run_render(article_id, 1, created["job"]) == JobStatus.READY
    old = client.get(f"/api/v1/articles/{slug}").get_json()
    assert not list(disk.path.glob("cover-*.png"))  # no feed was asked for yet
    yield Full(app, disk, client, editor, auth, slug, article_id, old)
    assert client.server_errors() == [] and editor.server_errors() == []
    assert temp_files(disk.path) == []
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def full(rendered: Full) -> Full:
    """The same, once the disk is full."""
    rendered.disk.fill()
    return rendered


# Where a render first needs room: caching a segment, caching an MP3 chunk, joining a file,
# tagging it, writing transcripts and chapters. The disk fills just before that step.
STAGES = [
    (Storage, "write_segment"),
    (Storage, "write_chunk"),
    (Storage, "temp_path"),
    (renderer_module, "write_tags"),
    (Storage, "write_bytes"),
]


@pytest.mark.parametrize(("owner", "name"), STAGES, ids=[name for _, name in STAGES])
def test_a_disk_that_fills_at_any_step_of_a_render_leaves_the_job_waiting(
    rendered: Full, owner: Any, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = getattr(owner, name)

    def fill_first(*args: Any, **kwargs: Any) -> Any:
        rendered.disk.fill()
        monkeypatch.setattr(owner, name, real)
        return real(*args, **kwargs)

    edited = rendered.client.put(
        f"/api/v1/articles/{rendered.slug}", json=EDITED, headers=rendered.auth
    ).get_json()
    monkeypatch.setattr(owner, name, fill_first)
    with rendered.app.app_context():
        assert render_job.run_render(rendered.article_id, 2, edited["job"]) == JobStatus.QUEUED
    assert getattr(owner, name) is real, "the step was never reached"
    body = rendered.client.get(f"/api/v1/articles/{rendered.slug}").get_json()
    assert (body["status"], body["error"]) == (JobStatus.QUEUED, NO_SPACE)
    assert body["audio"] == rendered.old["audio"]
    assert temp_files(rendered.disk.path) == []
    rendered.disk.free()
    with rendered.app.app_context():
        assert render_job.run_render(rendered.article_id, 2, edited["job"]) == JobStatus.READY
    body = rendered.client.get(f"/api/v1/articles/{rendered.slug}").get_json()
    assert body["status"] == "ready" and body["rendered_revision"] == 2


def test_a_render_on_a_full_disk_waits_with_the_reason_and_is_ready_once_there_is_room(
    full: Full,
) -> None:
    client, slug = full.client, full.slug
    before = media_files(full.disk.path)
    edited = client.put(f"/api/v1/articles/{slug}", json=EDITED, headers=full.auth)
    assert edited.status_code == 200, edited.get_json()
    job_id = edited.get_json()["job"]
    with full.app.app_context():
        assert render_job.run_render(full.article_id, 2, job_id) == JobStatus.QUEUED
    # The API and the back office name the cause; the job waits, it did not fail.
    body = client.get(f"/api/v1/articles/{slug}").get_json()
    assert body["status"] == JobStatus.QUEUED and body["error"] == NO_SPACE
    assert body["audio"] == full.old["audio"] and body["rendered_revision"] == 1
    job = client.get(f"/api/v1/jobs/{job_id}", headers=full.auth).get_json()
    assert job["status"] == JobStatus.QUEUED and job["error"] == NO_SPACE
    assert NO_SPACE in full.editor.get("/redaktion/").get_data(as_text=True)
    assert NO_SPACE in full.editor.get(f"/redaktion/artikel/{slug}").get_data(as_text=True)
    # The previous audio stays served, whole; the pages play it.
    for url in full.old["audio"].values():
        answer = client.get(url)
        assert answer.status_code == 200 and decode_mp3(answer.data, RATE)
    for path in ("/", f"/artikel/{slug}"):
        page = client.get(path)
        assert page.status_code == 200
    assert full.old["audio"]["episode"] in page.get_data(as_text=True)
    # Nothing half-written: not a byte more in the media folder, no temporary file.
    assert media_files(full.disk.path) == before
    assert temp_files(full.disk.path) == []

    full.disk.free()
    with full.app.app_context():  # what the sweeper's next message does
        assert render_job.run_render(full.article_id, 2, job_id) == JobStatus.READY
        jobs = db.session.scalars(select(Job).where(Job.revision == 2)).all()
        assert [(j.id, j.status, j.error) for j in jobs] == [(job_id, "ready", "")]
        renditions = db.session.scalars(select(Rendition).where(Rendition.revision == 2))
        assert len(renditions.all()) == 1
    body = client.get(f"/api/v1/articles/{slug}").get_json()
    assert body["status"] == "ready" and body["error"] is None
    assert body["rendered_revision"] == 2 and body["audio"] != full.old["audio"]


def test_both_feeds_answer_on_a_full_disk_and_serve_the_cover_they_could_not_write(
    full: Full,
) -> None:
    client = full.client
    for feed in ("/feed.xml", "/feed/kurz.xml"):
        answer = client.get(feed)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
        assert full.slug in answer.get_data(as_text=True)
        cover = client.get(image_url(answer.get_data(as_text=True)))
        assert cover.status_code == 200 and cover.data.startswith(b"\x89PNG")
    assert not list(full.disk.path.glob("cover-*.png"))
    # Another web process (which did not draw it for a feed) serves it as well.
    _unwritten.clear()
    cover = client.get(image_url(client.get("/feed.xml").get_data(as_text=True)))
    assert cover.status_code == 200 and cover.data.startswith(b"\x89PNG")
    full.disk.free()
    cover = client.get(image_url(client.get("/feed.xml").get_data(as_text=True)))
    assert cover.status_code == 200
    assert list(full.disk.path.glob("cover-*.png"))  # written as soon as there is room


def test_the_back_office_previews_still_speak_on_a_full_disk(full: Full) -> None:
    query = {"written": "Kiew", "spoken": "Kyjiw"}
    for answer in (
        full.editor.get("/redaktion/aussprache/vorhoeren.mp3", query_string=query),
        full.editor.get(f"/redaktion/artikel/{full.slug}/satz/2.mp3"),
    ):
        assert answer.status_code == 200 and answer.mimetype == "audio/mpeg"
        assert len(decode_mp3(answer.data, RATE)) > RATE  # more than half a second of speech


def test_readyz_warns_of_a_full_disk_but_keeps_the_instance_in_service(full: Full) -> None:
    # A load balancer that took it out would stop serving the audio that is still there.
    body = full.client.get("/readyz").get_json()
    assert body["ready"] is True
    assert body["checks"]["media"]["ok"] is False
    assert "kein freier Speicherplatz" in body["warnings"][0]


@pytest.mark.slow
def test_a_worker_renders_the_waiting_job_by_itself_once_there_is_room(
    tmp_path: Path, disk: SmallDisk, redis_url: str
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    settings = base_settings(
        tmp_path,
        MEDIA_DIR=str(disk.path),
        BROKER_URL=redis_url,
        JOB_STALE_SECONDS=3.0,
        JOB_LEASE_SECONDS=4.0,
        SWEEP_SECONDS=1.0,
    )
    app: Flask = create_app(settings)
    auth = {"Authorization": f"Bearer {make_token(app)}"}
    client = Checked(app.test_client())
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    try:
        worker.wait_ready(app.extensions["celery"])
        created = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth).get_json()
        slug = created["slug"]
        old = wait_status(client.client, slug, {"ready", "failed"}, timeout=120)
        assert old["status"] == "ready", old
        time.sleep(2)  # the day's products (briefing, DAISY) after the render

        disk.fill()
        assert client.put(f"/api/v1/articles/{slug}", json=EDITED, headers=auth).status_code == 200
        deadline = time.monotonic() + 60
        while (body := client.get(f"/api/v1/articles/{slug}").get_json())["error"] != NO_SPACE:
            assert body["status"] in ("queued", "rendering"), body
            assert time.monotonic() < deadline, body
            time.sleep(0.2)
        assert body["audio"] == old["audio"]
        time.sleep(2 * settings["JOB_STALE_SECONDS"])  # tried again meanwhile, still no room
        body = client.get(f"/api/v1/articles/{slug}").get_json()
        assert body["status"] in ("queued", "rendering") and body["rendered_revision"] == 1
        with app.app_context():
            (job,) = db.session.scalars(select(Job).where(Job.revision == 2)).all()
            assert job.attempts >= 2  # the sweeper sent it again: it waits, it did not fail
        assert "no space left for audio files" in worker.log_path.read_text(errors="replace")

        disk.free()
        body = wait_status(client.client, slug, {"ready", "failed"}, timeout=120)
        assert body["status"] == "ready" and body["rendered_revision"] == 2, body
        time.sleep(3 * settings["SWEEP_SECONDS"])
        with app.app_context():
            jobs = db.session.scalars(select(Job).where(Job.revision == 2)).all()
            assert [j.status for j in jobs] == ["ready"]
            renditions = db.session.scalars(select(Rendition).where(Rendition.revision == 2))
            assert len(renditions.all()) == 1
        deadline = time.monotonic() + 30
        while temp_files(disk.path) and time.monotonic() < deadline:
            time.sleep(0.5)  # a day's build may still be writing
        assert temp_files(disk.path) == []
        assert client.server_errors() == []
    finally:
        worker.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_command_line_says_why_a_render_waits_and_ends_when_it_is_ready(
    full: Full, capsys: pytest.CaptureFixture[str]
) -> None:
    # `audionews import/render --wait` on a full disk: it names the cause instead of a
    # silent progress bar, and returns once the render is done.
    edited = full.client.put(
        f"/api/v1/articles/{full.slug}", json=EDITED, headers=full.auth
    ).get_json()
    with full.app.app_context():
        assert render_job.run_render(full.article_id, 2, edited["job"]) == JobStatus.QUEUED
    failed: list[int] = []

    def wait() -> None:
        with full.app.app_context():
            failed.append(wait_for_jobs([edited["job"]]))

    waiter = threading.Thread(target=wait)
    waiter.start()
    deadline = time.monotonic() + 30
    said = ""
    while "wartet" not in said and time.monotonic() < deadline:
        time.sleep(0.2)
        said += capsys.readouterr().err
    assert f"{full.slug}: wartet – {NO_SPACE}" in said
    full.disk.free()
    with full.app.app_context():
        assert render_job.run_render(full.article_id, 2, edited["job"]) == JobStatus.READY
    waiter.join(30)
    assert not waiter.is_alive() and failed == [0]
    assert f"{full.slug}: fertig (espeak)" in capsys.readouterr().out
