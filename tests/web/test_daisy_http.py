"""The DAISY books over HTTP: downloads with Range, HEAD and ETag; links on the pages; the API.

One news day of two real articles (espeak), built by the day job, serves every test here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from audionews.db import db
from audionews.models import Article, DaisyBook
from audionews.speech.dates import MONTHS
from audionews.web.pages import kilobytes
from tests.daisy.helpers_daisy import (
    build_days,
    current_edition,
    day_app,
    media,
    no_broker,
    save,
    the_day,
)

ARTICLES = [
    {"title": "Erste Meldung", "summary": "Der Streik geht weiter.", "body": "Pendler warten."},
    {"title": "Zweite Meldung", "summary": "Die Preise sinken.", "body": ""},
]


@dataclass
class Site:
    app: Flask
    day: dt.date
    row: DaisyBook

    @property
    def client(self) -> FlaskClient:
        return self.app.test_client()

    @property
    def url(self) -> str:
        return f"/daisy/{self.day.isoformat()}.zip"

    def file(self) -> Path:
        return media(self.app) / self.row.file


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("daisy-http")
    with day_app(folder, BASE_URL="https://news.example") as app:
        with no_broker():  # only while it is built: the patch must not outlive the setup
            for data in ARTICLES:
                save(app, data)
            assert build_days(app) == {"built"}
        day = the_day(app)
        row = current_edition(app, day)
        assert row is not None
        yield Site(app, day, row)


def test_the_days_edition_downloads_as_a_zip(site: Site) -> None:
    response = site.client.get(site.url)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.data == site.file().read_bytes()
    assert response.headers["Content-Length"] == str(site.row.size)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"audionews-{site.day}-daisy.zip" in disposition
    assert response.headers["Accept-Ranges"] == "bytes"
    etag = response.headers["ETag"].strip('"')
    assert etag in site.row.file  # the content hash of the zip's name
    assert "max-age=60" in response.headers["Cache-Control"]


def test_head_range_and_etag_work_as_for_media(site: Site) -> None:
    client = site.client
    head = client.head(site.url)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == str(site.row.size)
    data = site.file().read_bytes()
    part = client.get(site.url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    etag = head.headers["ETag"]
    assert client.get(site.url, headers={"If-None-Match": etag}).status_code == 304
    # A download resumed against another build of the day gets the whole new file.
    resumed = client.get(site.url, headers={"Range": "bytes=100-", "If-Range": '"other"'})
    assert resumed.status_code == 200 and resumed.data == data
    same = client.get(site.url, headers={"Range": "bytes=100-", "If-Range": etag})
    assert same.status_code == 206 and same.data == data[100:]
    beyond = client.get(site.url, headers={"Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{len(data)}"


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/daisy/gestern.zip", 404, "kein Datum in der Form JJJJ-MM-TT"),
        ("/daisy/2026-02-30.zip", 404, "kein Datum"),
        ("/daisy/2026-1-1.zip", 404, "kein Datum"),
        ("/daisy/artikel/gibt-es-nicht.zip", 404, "keinen veröffentlichten Beitrag"),
    ],
)
def test_bad_addresses_get_a_german_reason(site: Site, path: str, status: int, says: str) -> None:
    response = site.client.get(path)
    assert response.status_code == status
    assert says in response.get_data(as_text=True)


def test_a_day_without_articles_has_no_edition(site: Site) -> None:
    other = site.day - dt.timedelta(days=1)
    response = site.client.get(f"/daisy/{other}.zip")
    assert response.status_code == 404
    assert "keine DAISY-Ausgabe" in response.get_data(as_text=True)


def test_an_articles_book_downloads_and_an_unpublished_one_does_not(site: Site) -> None:
    response = site.client.get("/daisy/artikel/erste-meldung.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "erste-meldung-daisy.zip" in response.headers["Content-Disposition"]
    with site.app.app_context():
        article = db.session.query(Article).filter_by(slug="zweite-meldung").one()
        article.published = False
        db.session.commit()
    try:
        assert site.client.get("/daisy/artikel/zweite-meldung.zip").status_code == 404
        api = site.client.get("/api/v1/articles/zweite-meldung")
        assert api.status_code == 404
    finally:
        with site.app.app_context():
            article = db.session.query(Article).filter_by(slug="zweite-meldung").one()
            article.published = True
            db.session.commit()


def test_the_api_gives_the_books_url(site: Site) -> None:
    body = site.client.get("/api/v1/articles/erste-meldung").get_json()
    assert body["daisy"] == "https://news.example/daisy/artikel/erste-meldung.zip"
    assert site.client.get(body["daisy"].removeprefix("https://news.example")).status_code == 200


def test_the_home_page_links_the_days_edition_with_its_size(site: Site) -> None:
    html = site.client.get("/").get_data(as_text=True)
    link = re.search(
        r'<a href="([^"]+)" download>Die Nachrichten vom ([^<]+) als DAISY-Hörbuch</a>', html
    )
    assert link is not None, html
    assert link[1] == f"https://news.example{site.url}"
    day = site.day
    assert link[2] == f"{day.day}. {MONTHS[day.month - 1]} {day.year}"
    assert f"ZIP, {kilobytes(site.row.size)}, 2 Beiträge" in html


def test_each_article_page_links_its_book_with_its_size(site: Site) -> None:
    html = site.client.get("/artikel/erste-meldung").get_data(as_text=True)
    with site.app.app_context():
        article = db.session.query(Article).filter_by(slug="erste-meldung").one()
        book = db.session.query(DaisyBook).filter_by(article_id=article.id).one()
        size = book.size
    expected = '<a href="https://news.example/daisy/artikel/erste-meldung.zip" download>'
    assert expected + "Ganzer Beitrag als DAISY-Hörbuch</a>" in html
    assert f"(ZIP, {kilobytes(size)}; für DAISY-Player und -Apps)" in html


def test_the_briefing_episode_links_the_days_edition(site: Site) -> None:
    from lxml import etree

    feed = etree.fromstring(site.client.get("/feed/briefing.xml").data)
    (item,) = feed.iterfind("channel/item")
    notes = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or ""
    assert f'<a href="https://news.example{site.url}">' in notes
    assert "als DAISY-Hörbuch</a>" in notes
