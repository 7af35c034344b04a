"""The cache prune on a real media folder: superseded and deleted articles, real renders.

What must stay stays: every current rendition's files, and every cached entry a re-render of a
current revision needs (proven by re-rendering: nothing synthesized, nothing encoded).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select, update

from audionews import catalog, create_app
from audionews.articles import ArticleInput, Link
from audionews.cache import daily
from audionews.cache.needs import Policy, rendition_needs
from audionews.cache.prune import RENDITION_FILE, human, prune
from audionews.cache.usage import measure
from audionews.cli import cli
from audionews.db import db
from audionews.jobs import render_job
from audionews.models import Article, Job, JobStatus, Rendition, utcnow
from tests.conftest import base_settings, worker_env

DAY = 86400.0


def article(title: str, body: str) -> ArticleInput:
    return ArticleInput(
        title=title,
        summary="Das ist die Kurzfassung. Sie bleibt gleich.",
        body=body,
        links=(Link(title="Quelle", url="https://example.org/"),),
    )


def render(app: Flask, data: ArticleInput, slug: str | None = None) -> Rendition:
    """Save and render synchronously (the job body, no queue); return the new rendition."""
    with app.app_context():
        result = catalog.save(data, slug=slug)
        assert result.job is not None
        status = render_job.run_render(result.article.id, result.article.revision, result.job.id)
        assert status == JobStatus.READY
        rendition = result.article.current_rendition()
        assert rendition is not None
        db.session.expunge(rendition)
        return rendition


def age_everything(media: Path, days: float) -> None:
    then = time.time() - days * DAY
    for path in media.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def made_days_ago(app: Flask, rendition_id: int, days: float) -> None:
    with app.app_context():
        db.session.execute(
            update(Rendition)
            .where(Rendition.id == rendition_id)
            .values(created_at=utcnow() - timedelta(days=days))
        )
        db.session.commit()


def entry_files(media: Path, key: str) -> list[Path]:
    return sorted((media / "segments" / key[:2]).glob(f"{key}.*"))


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    app = create_app(base_settings(tmp_path, DATABASE_URL=database_url))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def newsroom(app: Flask) -> dict[str, Any]:
    """A media folder a month on: a superseded article, a deleted one, an old current one."""
    media = Path(app.config["AUDIONEWS"]["MEDIA_DIR"])
    first = render(app, article("Bahn streikt", "Der Streik beginnt am Montag. Er dauert."))
    second = render(app, article("Bahn streikt", "Der Streik beginnt am Dienstag. Er dauert."))
    deleted = render(app, article("Zug fällt aus", "Ein ganz anderer Text. Nur hier."))
    old = render(app, article("Wetter", "Es regnet seit Wochen. Die Flüsse steigen."))
    with app.app_context():
        slug_a = db.session.get(Article, second.article_id).slug
        doomed = db.session.get(Article, deleted.article_id)
        db.session.delete(doomed)  # rows go; its files and cached entries stay behind
        db.session.commit()
    assert app.test_client().get("/feed.xml").status_code == 200  # draws the cover
    age_everything(media, 40)
    made_days_ago(app, first.id, 40)
    made_days_ago(app, second.id, 35)  # superseded the first one 35 days ago
    made_days_ago(app, old.id, 60)
    (media / "daisy-2026-11-01.zip").write_bytes(b"not the prune's")  # another feature's file
    os.utime(media / "daisy-2026-11-01.zip", (0, 0))
    return {
        "media": media,
        "slug": slug_a,
        "first": first,
        "second": second,
        "deleted": deleted,
        "old": old,
    }


def published(rendition: Rendition) -> set[str]:
    return set(rendition.files.values())


def test_prune_keeps_what_is_live_and_removes_what_is_not(
    app: Flask, newsroom: dict[str, Any]
) -> None:
    media: Path = newsroom["media"]
    first, second, deleted, old = (newsroom[k] for k in ("first", "second", "deleted", "old"))
    shared = set(first.cache_keys["segments"]) & set(second.cache_keys["segments"])
    only_first = set(first.cache_keys["segments"]) - set(second.cache_keys["segments"])
    only_deleted = set(deleted.cache_keys["segments"]) - {
        key for r in (second, old) for key in r.cache_keys["segments"]
    }
    assert shared and only_first and only_deleted
    # Records kept beside an entry (a checksum, a chunk's loudness) go with it or stay with it.
    gone_key, kept_key = sorted(only_deleted)[0], sorted(shared)[0]
    gone_chunk = sorted(set(deleted.cache_keys["chunks"]) - set(second.cache_keys["chunks"]))[0]
    kept_chunk = second.cache_keys["chunks"][0]
    for key, suffix in ((gone_key, ".pcm.rec"), (kept_key, ".pcm.rec"), (gone_chunk, ".lvl")):
        record = media / "segments" / key[:2] / f"{key}{suffix}"
        record.write_text("a record of the entry")
        os.utime(record, (0, 0))
    kept_record = media / "segments" / kept_chunk[:2] / f"{kept_chunk}.lvl"
    kept_record.write_text("loudness")
    os.utime(kept_record, (0, 0))  # old: it stays because the current rendition needs it
    size_before = sum(p.stat().st_size for p in media.rglob("*") if p.is_file())

    report = prune(app)  # keep 30 days, grace 30 days: the defaults

    assert report.cache_skipped == ""
    for rendition in (second, old):  # current: files and every entry stay
        assert all((media / name).is_file() for name in published(rendition))
        for key in rendition.cache_keys["segments"] + rendition.cache_keys["chunks"]:
            assert entry_files(media, key), key
    for rendition in (first, deleted):  # superseded long ago / deleted: files go
        assert not any((media / name).exists() for name in published(rendition) - published(second))
    for key in only_first | only_deleted:
        assert entry_files(media, key) == [], key
    assert entry_files(media, kept_key)[-1].name.endswith(".pcm.rec")
    assert entry_files(media, gone_key) == [] and entry_files(media, gone_chunk) == []
    assert kept_record.exists()
    assert (media / "daisy-2026-11-01.zip").exists()
    assert list(media.glob("cover-*.png"))  # covers are never the prune's
    size_after = sum(p.stat().st_size for p in media.rglob("*") if p.is_file())
    assert report.freed == size_before - size_after > 0
    assert report.size_after == size_after
    assert report.removed_files["segments"] == len(only_first | only_deleted)

    # The proof that nothing needed went: re-rendering the current revisions costs nothing.
    with app.app_context():
        for rendition in (second, old):
            row = db.session.get(Article, rendition.article_id)
            jobs = catalog.request_render([row])
            assert render_job.run_render(row.id, row.revision, jobs[0].id) == JobStatus.READY
            again = row.current_rendition()
            assert again is not None and again.synthesized == 0
            assert again.files == rendition.files


def test_grace_keeps_a_superseded_renditions_files_and_keep_days_its_entries(
    app: Flask, newsroom: dict[str, Any]
) -> None:
    media: Path = newsroom["media"]
    first, second = newsroom["first"], newsroom["second"]
    made_days_ago(app, second.id, 10)  # replaced the first only ten days ago
    prune(app)
    assert all((media / name).is_file() for name in published(first))  # podcast apps link them
    only_first = set(first.cache_keys["segments"]) - set(second.cache_keys["segments"])
    assert all(entry_files(media, key) == [] for key in only_first)  # not needed to serve

    made_days_ago(app, first.id, 5)  # a revision saved in the last days keeps everything
    again = render(app, article("Noch einer", "Ein Satz. Noch ein Satz."))
    assert again.synthesized > 0
    with app.app_context():
        needs = rendition_needs(Policy.of(30, 30))
    assert set(first.cache_keys["segments"]) <= needs.segments


def test_older_than_zero_and_no_grace_leaves_only_the_current(
    app: Flask, newsroom: dict[str, Any]
) -> None:
    media: Path = newsroom["media"]
    first, second = newsroom["first"], newsroom["second"]
    made_days_ago(app, second.id, 0)
    report = prune(app, keep_days=0, grace_days=0)
    assert not any((media / n).exists() for n in published(first) - published(second))
    assert all((media / n).is_file() for n in published(second))
    assert report.removed_files["published"] > 0


def test_young_files_and_running_renders_are_left_alone(
    app: Flask, newsroom: dict[str, Any]
) -> None:
    media: Path = newsroom["media"]
    deleted = newsroom["deleted"]
    young = sorted(deleted.cache_keys["segments"])[0]
    for path in entry_files(media, young):
        os.utime(path)  # written just now: maybe by a render that has no row yet
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.article_id == newsroom["old"].article_id))
        assert job is not None
        job.status, job.updated_at = JobStatus.RENDERING, utcnow()
        db.session.commit()
    report = prune(app)
    assert "Vertonung" in report.cache_skipped
    assert report.removed_files["segments"] == report.removed_files["chunks"] == 0
    assert report.removed_files["published"] > 0  # published files are still pruned
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.article_id == newsroom["old"].article_id))
        assert job is not None
        job.status = JobStatus.READY
        db.session.commit()
    prune(app)
    assert entry_files(media, young)  # too young, though nothing names it


def test_renditions_without_a_record_keep_the_whole_cache(
    app: Flask, newsroom: dict[str, Any]
) -> None:
    media: Path = newsroom["media"]
    with app.app_context():
        db.session.execute(
            update(Rendition).where(Rendition.id == newsroom["old"].id).values(cache_keys={})
        )
        db.session.commit()
    before = sorted(media.glob("segments/*/*"))
    report = prune(app)
    assert "render --all" in report.cache_skipped
    assert sorted(media.glob("segments/*/*")) == before


def test_dry_run_removes_nothing(app: Flask, newsroom: dict[str, Any]) -> None:
    media: Path = newsroom["media"]
    before = sorted(p for p in media.rglob("*") if p.is_file())
    report = prune(app, dry_run=True)
    assert report.freed > 0 and report.lines()[0].startswith("Würde entfernen:")
    assert sorted(p for p in media.rglob("*") if p.is_file()) == before


def test_the_command_says_what_it_freed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = base_settings(tmp_path)
    for key, value in worker_env(settings).items():
        monkeypatch.setenv(key, value)
    app = create_app(settings)
    first = render(app, article("Kurz", "Erster Text. Zweiter Satz."))
    render(app, article("Kurz", "Anderer Text. Zweiter Satz."))
    age_everything(Path(settings["MEDIA_DIR"]), 2)
    made_days_ago(app, first.id, 2)
    result = CliRunner().invoke(cli, ["cache", "prune", "--older-than", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Entfernt: ") and "Segmente" in lines[0] and " frei." in lines[0]
    assert "0 Segmente" not in lines[0]  # the first revision's own sentence went
    assert lines[-1].startswith("Der Medienordner belegt jetzt ")
    refused = CliRunner().invoke(cli, ["cache", "prune", "--older-than", "-1"])
    assert refused.exit_code == 2 and "Fehler:" in refused.output


def test_workers_prune_once_a_day_for_the_deployment(app: Flask, newsroom: dict[str, Any]) -> None:
    report = daily.maybe_prune(app)
    assert report is not None and report.freed > 0
    assert daily.maybe_prune(app) is None  # the marker says: done today (any process)
    media: Path = newsroom["media"]
    assert [p.name for p in media.glob(".prune-*")]
    app.config["AUDIONEWS"]["CACHE_PRUNE"] = False
    for marker in media.glob(".prune-*"):
        marker.unlink()
    assert daily.maybe_prune(app) is None
    sink = app.extensions["metrics"]
    values = sink.store.read(["audionews_cache_pruned_bytes"])["audionews_cache_pruned_bytes"]
    assert sum(values.values()) == report.freed


def test_the_name_pattern_and_sizes() -> None:
    assert RENDITION_FILE.match("bahn-streikt-0123456789ab-episode.mp3")
    assert RENDITION_FILE.match("bahn-streikt-0123456789ab-summary-transcript.vtt")
    assert RENDITION_FILE.match("bahn-0123456789ab-chapters.json")
    assert not RENDITION_FILE.match("cover-0123456789ab.png")
    assert not RENDITION_FILE.match("daisy-2026-11-01.zip")
    assert human(999) == "999 B" and human(1_500_000) == "1,5 MB"


def test_the_dashboard_shows_the_media_folders_size(sqlite_app: Flask) -> None:
    from tests.web.editor.conftest import login, make_editor

    render(sqlite_app, article("Kurz", "Erster Text. Zweiter Satz."))
    make_editor(sqlite_app)
    client = sqlite_app.test_client()
    login(client)
    page = client.get("/redaktion/").get_data(as_text=True)
    usage = measure(sqlite_app.extensions["storage"])
    assert "<h2>Medienordner</h2>" in page
    assert f"Belegt: {human(usage.total_bytes)}" in page and usage.total_bytes > 0
    assert f"zwischengespeicherte Sätze {human(usage.bytes['segments'])}" in page
    assert "täglich entfernt" in page
