"""The cache prune and the daily briefing: what a live briefing is made of stays; an old day's
entries may go, and its rebuild makes them again."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from audionews.cache.prune import prune
from audionews.db import db
from audionews.jobs import day_job
from audionews.models import Briefing, NewsDay, utcnow
from tests.jobs.test_briefing_job import ARTICLES, current, save, settle


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(day_job, "send_day", lambda day: True)


def entry_files(media: Path, key: str) -> list[Path]:
    return sorted((media / "segments" / key[:2]).glob(f"{key}.*"))


def age_media(media: Path, days: float) -> None:
    then = time.time() - days * 86400
    for path in media.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            os.utime(path, (then, then))


def rebuild(app: Flask) -> Briefing:
    with app.app_context():
        day = db.session.scalars(select(NewsDay.day)).one()
        day_job.mark(day)
        db.session.commit()
        db.session.execute(update(Briefing).values(key=""))  # built again, not skipped
        db.session.commit()
        assert day_job.build_day(day) == day_job.BUILT
    row = current(app)
    assert row is not None
    return row


def test_a_live_briefing_keeps_its_entries_and_an_old_one_is_made_again(app: Flask) -> None:
    for data in ARTICLES:
        save(app, data)
    assert settle(app) == day_job.BUILT
    media = Path(app.config["AUDIONEWS"]["MEDIA_DIR"])
    briefing = current(app)
    assert briefing is not None
    keys = briefing.cache_keys
    assert keys["segments"] and keys["chunks"]  # the opening and closing, the silences
    age_media(media, 40)

    prune(app)
    for key in keys["segments"] + keys["chunks"]:
        assert entry_files(media, key), key
    assert all((media / name).is_file() for name in briefing.files.values())
    assert rebuild(app).synthesized == 0  # nothing spoken again

    # A briefing of long ago: its own entries are no longer kept, its files are its job's.
    with app.app_context():
        db.session.execute(update(Briefing).values(created_at=utcnow() - timedelta(days=40)))
        db.session.commit()
    briefing = current(app)
    assert briefing is not None
    age_media(media, 40)
    prune(app)
    spoken = [k for k in briefing.cache_keys["segments"] if not entry_files(media, k)]
    assert spoken  # the opening and closing went
    assert all((media / name).is_file() for name in briefing.files.values())
    again = rebuild(app)
    assert again.synthesized > 0  # made again, and the briefing is whole
    assert (media / again.files["audio"]).stat().st_size == again.size


def test_no_cache_prune_while_a_day_is_built(app: Flask) -> None:
    save(app, ARTICLES[0])
    assert settle(app) == day_job.BUILT
    with app.app_context():
        db.session.execute(update(NewsDay).values(building_since=utcnow()))
        db.session.commit()
    report = prune(app, keep_days=0, grace_days=0, min_age=0)
    assert "Sendung des Tages" in report.cache_skipped
    assert report.removed_files["segments"] == report.removed_files["chunks"] == 0
