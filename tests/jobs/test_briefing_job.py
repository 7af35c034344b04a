"""The daily briefing from the database: which articles, their order, rebuilds and what is kept.

Articles go in through the catalog, render for real with espeak (`run_queued`) and the day is
built by the day job, as a worker does after the messages the marks sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from audionews import catalog
from audionews.articles import parse_json
from audionews.days import news_day
from audionews.db import db
from audionews.jobs import briefing_job, day_job
from audionews.models import Article, Briefing, NewsDay, utcnow
from audionews.web.editor.articles import delete
from tests.web.editor.helpers_editor import counting_synthesis, run_queued

ARTICLES = [
    {
        "title": "Erste Meldung",
        "summary": "Der Streik geht weiter. Pendler warten.",
        "body": "Text.",
    },
    {"title": "Zweite Meldung", "summary": "Die Preise sinken.", "body": ""},
    {"title": "Dritte Meldung", "summary": "Es wird sonnig.", "body": "Am Sonntag regnet es."},
]


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    # The tests deliver the day's build themselves (build_day), as the worker would.
    monkeypatch.setattr(day_job, "send_day", lambda day: True)


def save(app: Flask, data: dict[str, Any]) -> int:
    with app.test_request_context():
        return catalog.save(parse_json(data)).article.id


def settle(app: Flask) -> str:
    """Run the queued renders, then the day's build; return what the build did."""
    run_queued(app)
    with app.test_request_context():
        days = db.session.scalars(select(NewsDay.day)).all()
        outcomes = {day_job.build_day(day) for day in days}
    assert len(days) == 1
    return outcomes.pop()


def current(app: Flask) -> Briefing | None:
    with app.app_context():
        row = db.session.scalar(
            select(Briefing).where(Briefing.superseded_at.is_(None)).order_by(Briefing.id.desc())
        )
        if row is not None:
            db.session.expunge(row)
        return row


def slugs(row: Briefing | None) -> list[str]:
    assert row is not None
    return [c["slug"] for c in row.chapters if c["slug"]]


def media(app: Flask) -> Path:
    return Path(app.config["AUDIONEWS"]["MEDIA_DIR"])


@pytest.fixture
def three(app: Flask) -> Iterator[list[int]]:
    ids = [save(app, data) for data in ARTICLES]
    assert settle(app) == day_job.BUILT
    yield ids


def test_the_day_is_built_newest_first_then_in_the_editors_order(
    app: Flask, three: list[int]
) -> None:
    row = current(app)
    assert row is not None
    assert slugs(row) == ["dritte-meldung", "zweite-meldung", "erste-meldung"]
    with app.app_context():
        article = db.session.get(Article, three[0])
        assert article is not None and article.published_at is not None
        day = news_day(article.published_at, app.config["AUDIONEWS"])
    assert row.day == day and row.title.startswith("Die Nachrichten vom ")
    assert (media(app) / row.files["audio"]).stat().st_size == row.size
    # Editors put the second first; the others follow, newest first.
    with app.app_context():
        db.session.execute(update(NewsDay).values(article_order=[three[1]]))
        day_job.mark(day)
        db.session.commit()
        assert day_job.build_day(day) == day_job.BUILT
    assert slugs(current(app)) == ["zweite-meldung", "dritte-meldung", "erste-meldung"]


def test_an_unchanged_day_is_not_built_again(app: Flask, three: list[int]) -> None:
    before = current(app)
    with app.test_request_context():
        # A re-render of the same text gives the same files: the same briefing.
        catalog.request_render(list(db.session.scalars(select(Article))))
    assert settle(app) == day_job.BUILT  # the day job ran, the briefing found nothing new
    after = current(app)
    assert before is not None and after is not None and after.id == before.id


def test_one_changed_article_rebuilds_without_synthesizing_any_summary(
    app: Flask, three: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = current(app)
    assert before is not None
    with counting_synthesis(monkeypatch) as spoken:
        save(app, ARTICLES[0] | {"summary": "Der Streik ist vorbei. Pendler warten."})
        run_queued(app)
        assert spoken == ["Der Streik ist vorbei."]  # the render: one sentence
        assert settle(app) == day_job.BUILT
        assert spoken == ["Der Streik ist vorbei."]  # the briefing: nothing at all
    after = current(app)
    assert after is not None and after.id != before.id
    assert after.synthesized == 0 and after.encoded == 0
    assert after.files["audio"] != before.files["audio"]
    vtt = (media(app) / after.files["transcript_vtt"]).read_text("utf-8")
    assert "Der Streik ist vorbei." in vtt and "Der Streik geht weiter." not in vtt
    # The replaced briefing stays downloadable for a while (apps that read the feed just now).
    assert (media(app) / before.files["audio"]).exists()


def test_a_withdrawn_or_deleted_article_leaves_the_briefing_and_its_old_files_go(
    app: Flask, three: list[int]
) -> None:
    first = current(app)
    assert first is not None
    with app.test_request_context():
        catalog.save(parse_json(ARTICLES[1] | {"published": False}))
    assert settle(app) == day_job.BUILT
    second = current(app)
    assert slugs(second) == ["dritte-meldung", "erste-meldung"]
    # The old briefing held the withdrawn article: it is not kept for the grace time.
    assert not (media(app) / first.files["audio"]).exists()
    with app.test_request_context():
        article = db.session.get(Article, three[2])
        assert article is not None
        delete(article)
    assert settle(app) == day_job.BUILT
    third = current(app)
    assert slugs(third) == ["erste-meldung"]
    assert second is not None and not (media(app) / second.files["audio"]).exists()
    assert third is not None and (media(app) / third.files["audio"]).exists()
    vtt = (media(app) / third.files["transcript_vtt"]).read_text("utf-8")
    assert "Eine Meldung." in vtt and "Dritte Meldung" not in vtt
    # The last one withdrawn: the day has no briefing any more.
    with app.test_request_context():
        catalog.save(parse_json(ARTICLES[0] | {"published": False}))
    assert settle(app) == day_job.BUILT
    assert current(app) is None
    assert not (media(app) / third.files["audio"]).exists()


def test_replaced_briefings_go_after_the_grace_time(app: Flask, three: list[int]) -> None:
    first = current(app)
    save(app, ARTICLES[2] | {"summary": "Es wird heiß."})
    assert settle(app) == day_job.BUILT
    second = current(app)
    assert first is not None and second is not None
    with app.app_context():
        assert briefing_job.prune() == 0
        db.session.execute(
            update(Briefing)
            .where(Briefing.id == first.id)
            .values(superseded_at=utcnow() - briefing_job.GRACE - timedelta(seconds=1))
        )
        db.session.commit()
        day_job.sweep()  # the sweeper prunes too
        assert db.session.get(Briefing, first.id) is None
    assert not (media(app) / first.files["audio"]).exists()
    assert (media(app) / second.files["audio"]).exists()


def test_articles_without_audio_or_summary_are_not_in_it(app: Flask) -> None:
    save(app, ARTICLES[0])
    save(app, {"title": "Nur Hauptartikel", "summary": "", "body": "Ein Text ohne Kurzfassung."})
    assert settle(app) == day_job.BUILT
    assert slugs(current(app)) == ["erste-meldung"]
    with app.test_request_context():
        # Published, its render still queued: the day waits for it.
        catalog.save(parse_json(ARTICLES[1]))
        day = db.session.scalar(select(NewsDay.day))
        assert day is not None
        day_job.mark(day)
        db.session.commit()
        assert day_job.build_day(day) == day_job.WAITING


def test_an_article_published_before_the_day_starts_is_in_the_day_before(app: Flask) -> None:
    app.config["AUDIONEWS"]["DAY_START_HOUR"] = 4
    ids = [save(app, data) for data in ARTICLES[:2]]
    with app.app_context():
        # The first went public at 03:00 local time: it belongs to the day before.
        local = dt.datetime.combine(dt.date(2025, 12, 2), dt.time(2, 0))
        db.session.execute(
            update(Article).where(Article.id == ids[0]).values(published_at=local)  # 03:00 CET
        )
        db.session.commit()
    run_queued(app)
    with app.test_request_context():
        for day in db.session.scalars(select(NewsDay.day)).all():
            day_job.build_day(day)
        rows = db.session.scalars(select(Briefing).order_by(Briefing.day)).all()
        assert next((row.day, [c["slug"] for c in row.chapters if c["slug"]]) for row in rows) == (
            dt.date(2025, 12, 1),
            ["erste-meldung"],
        )
