"""The DAISY books kept current by the day job: rebuilt on every change, old ones going.

Articles go in through the catalog and render for real with espeak; the day is built by the
day job (`build_day`), as a worker does after the messages the marks sent.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from audionews import catalog
from audionews.articles import parse_json
from audionews.db import db
from audionews.jobs import daisy_job, daisy_retention, day_job
from audionews.models import Article, DaisyBook, utcnow
from audionews.web.editor.articles import delete
from tests.daisy.helpers_daisy import Edition, build_days, current_edition, media, save, the_day
from tests.web.editor.helpers_editor import run_queued

ARTICLES = [
    {"title": "Erste Meldung", "summary": "Der Streik geht weiter.", "body": "Pendler warten."},
    {"title": "Zweite Meldung", "summary": "Die Preise sinken.", "body": ""},
]


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(day_job, "send_day", lambda day: True)


@pytest.fixture
def two(app: Flask) -> Iterator[list[int]]:
    ids = [save(app, data) for data in ARTICLES]
    assert build_days(app) == {day_job.BUILT}
    yield ids


def titles(app: Flask, row: DaisyBook | None) -> list[str]:
    assert row is not None
    book = Edition((media(app) / row.file).read_bytes())
    return [h.findtext("{http://www.w3.org/1999/xhtml}a") or "" for h in book.headings()]


def article_books(app: Flask, article_id: int) -> list[DaisyBook]:
    with app.app_context():
        rows = db.session.scalars(
            select(DaisyBook).where(DaisyBook.article_id == article_id).order_by(DaisyBook.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def daisy_files(app: Flask) -> set[str]:
    return {path.name for path in media(app).glob("*-daisy.zip")}


def test_the_day_job_builds_the_edition_and_each_articles_book(app: Flask, two: list[int]) -> None:
    day = the_day(app)
    row = current_edition(app, day)
    assert row is not None and row.day == day and row.articles == list(reversed(two))
    assert titles(app, row) == [
        daisy_job.edition_title(day),
        "Zweite Meldung",
        "In Kürze",
        "Erste Meldung",
        "In Kürze",
        "Hauptartikel",
    ]
    assert row.title.startswith("Die Nachrichten vom ") and row.title.endswith(str(day.year))
    assert (media(app) / row.file).stat().st_size == row.size
    for article_id in two:
        (book,) = article_books(app, article_id)
        assert book.superseded_at is None and book.articles == [article_id]
        assert (media(app) / book.file).is_file()
    assert len(daisy_files(app)) == 3


def test_an_unchanged_day_is_left_alone(app: Flask, two: list[int]) -> None:
    day = the_day(app)
    before = current_edition(app, day)
    files = daisy_files(app)
    with app.test_request_context():
        # A re-render of the same text gives the same files: the same books.
        catalog.request_render(list(db.session.scalars(select(Article))))
    assert build_days(app) == {day_job.BUILT}  # the day job ran, the books found nothing new
    after = current_edition(app, day)
    assert before is not None and after is not None and after.id == before.id
    assert daisy_files(app) == files
    for article_id in two:
        assert len(article_books(app, article_id)) == 1


def test_a_new_or_changed_article_rebuilds_and_replaced_books_stay_a_while(
    app: Flask, two: list[int]
) -> None:
    day = the_day(app)
    first = current_edition(app, day)
    (old_book,) = article_books(app, two[0])
    save(app, ARTICLES[0] | {"summary": "Der Streik ist vorbei."})
    save(app, {"title": "Dritte Meldung", "summary": "Es wird sonnig.", "body": ""})
    assert build_days(app) == {day_job.BUILT}
    second = current_edition(app, day)
    assert first is not None and second is not None and second.id != first.id
    assert titles(app, second)[1::2][:3] == ["Dritte Meldung", "Zweite Meldung", "Erste Meldung"]
    book = Edition((media(app) / second.file).read_bytes())
    assert "Der Streik ist vorbei." in book.raw("a003.html").decode()
    old, new = article_books(app, two[0])
    assert old.id == old_book.id and old.superseded_at is not None and new.superseded_at is None
    # Replaced books stay downloadable for a while (a download that started a moment ago).
    assert (media(app) / first.file).exists() and (media(app) / old.file).exists()
    with app.app_context():
        assert daisy_retention.prune() == 0
        past = utcnow() - daisy_retention.GRACE - timedelta(seconds=1)
        db.session.execute(
            update(DaisyBook).where(DaisyBook.superseded_at.is_not(None)).values(superseded_at=past)
        )
        db.session.commit()
        assert daisy_retention.prune() == 2
    assert not (media(app) / first.file).exists() and not (media(app) / old.file).exists()
    assert (media(app) / second.file).exists() and (media(app) / new.file).exists()


def test_a_withdrawn_or_deleted_article_leaves_the_edition_and_its_books_go(
    app: Flask, two: list[int]
) -> None:
    day = the_day(app)
    first = current_edition(app, day)
    (withdrawn,) = article_books(app, two[1])
    with app.test_request_context():
        catalog.save(parse_json(ARTICLES[1] | {"published": False}))
    assert build_days(app) == {day_job.BUILT}
    second = current_edition(app, day)
    assert second is not None and titles(app, second)[1:] == [
        "Erste Meldung",
        "In Kürze",
        "Hauptartikel",
    ]
    # Both held the withdrawn article: not kept for the grace time.
    assert first is not None and not (media(app) / first.file).exists()
    assert article_books(app, two[1]) == [] and not (media(app) / withdrawn.file).exists()
    # A deleted article: its book's row goes with it, its zip when the day is built.
    (deleted,) = article_books(app, two[0])
    with app.test_request_context():
        article = db.session.get(Article, two[0])
        assert article is not None
        delete(article)
    old = time.time() - daisy_retention.GRACE.total_seconds() - 60
    os.utime(media(app) / deleted.file, (old, old))  # it was made a while ago
    assert build_days(app) == {day_job.BUILT}
    assert current_edition(app, day) is None
    assert daisy_files(app) == set()


def test_editions_stay_daisy_keep_days_then_go(
    app: Flask, two: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    day = the_day(app)
    row = current_edition(app, day)
    assert row is not None
    app.config["AUDIONEWS"]["DAISY_KEEP_DAYS"] = 2
    monkeypatch.setattr(daisy_retention, "today", lambda settings: day + timedelta(days=2))
    with app.test_request_context():
        assert daisy_retention.prune() == 0 and not daisy_retention.expired(day)
        assert app.test_client().get(f"/daisy/{day}.zip").status_code == 200
    monkeypatch.setattr(daisy_retention, "today", lambda settings: day + timedelta(days=3))
    with app.test_request_context():
        assert daisy_retention.expired(day)
        assert daisy_retention.prune() == 1
        response = app.test_client().get(f"/daisy/{day}.zip")
    assert response.status_code == 410
    assert "nicht mehr verfügbar" in response.get_data(as_text=True)
    assert not (media(app) / row.file).exists()
    # A late change to an old day does not bring its edition back; the articles keep theirs.
    save(app, ARTICLES[1] | {"summary": "Die Preise steigen."})
    run_queued(app)
    with app.test_request_context():
        assert daisy_job.build(day) == "expired"
        assert daisy_job.current_day(day) is None
    assert len(article_books(app, two[1])) == 2
    # 0 keeps every edition.
    app.config["AUDIONEWS"]["DAISY_KEEP_DAYS"] = 0
    with app.test_request_context():
        assert not daisy_retention.expired(dt.date(2000, 1, 1))


def test_an_articles_book_is_made_on_its_first_download(app: Flask, tmp_path: Path) -> None:
    # The day job never ran (an article from before the DAISY edition existed).
    article_id = save(app, ARTICLES[0])
    run_queued(app)
    assert article_books(app, article_id) == []
    client = app.test_client()
    first = client.get("/daisy/artikel/erste-meldung.zip")
    assert first.status_code == 200 and first.mimetype == "application/zip"
    (row,) = article_books(app, article_id)
    assert first.data == (media(app) / row.file).read_bytes()
    again = client.get("/daisy/artikel/erste-meldung.zip")
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert len(article_books(app, article_id)) == 1  # made once, then kept
    book = Edition(first.data)
    assert book.one("dc:title") == "Erste Meldung" and int(book.one("ncc:files")) == 4
