"""The briefing on the home page: a native player, its articles, the data the queue player reads."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import html
from sqlalchemy import select, update

from audionews import catalog
from audionews.articles import parse_json
from audionews.days import today
from audionews.db import db
from audionews.jobs import day_job
from audionews.models import Briefing, NewsDay
from tests.helpers import SHORT_ARTICLE
from tests.web.editor.helpers_editor import run_queued

HOSTILE = "Bahn & Bus: „Streik“ <script>alert('x')</script>"


@pytest.fixture
def site(sqlite_app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[FlaskClient]:
    monkeypatch.setattr(day_job, "send_day", lambda day: True)
    with sqlite_app.test_request_context():
        for title in ("Erste Meldung", HOSTILE):
            catalog.save(parse_json(SHORT_ARTICLE | {"title": title}))
    run_queued(sqlite_app)
    with sqlite_app.test_request_context():
        (day,) = db.session.scalars(select(NewsDay.day)).all()
        assert day_job.build_day(day) == day_job.BUILT
    yield sqlite_app.test_client()


def section(client: FlaskClient) -> html.HtmlElement:
    page = client.get("/")
    assert page.status_code == 200
    (found,) = html.fromstring(page.data).xpath("//section[@id='nachrichten-des-tages']")
    return found


def test_the_home_page_offers_todays_briefing_to_play(site: FlaskClient) -> None:
    found = section(site)
    heading = found.xpath(".//h2")[0]
    assert heading.text_content().startswith("Die Nachrichten vom ")
    assert found.get("aria-labelledby") == heading.get("id")
    (audio,) = found.xpath(".//audio")
    assert audio.get("controls") is not None and audio.get("preload") == "none"
    assert audio.get("autoplay") is None
    res = site.get(audio.get("src"))
    assert res.status_code == 200 and res.mimetype == "audio/mpeg"
    assert "Alle Meldungen von heute" in found.text_content()
    # The articles, in the briefing's order, with links to their pages.
    items = found.xpath(".//ol/li")
    assert [li.xpath("a")[0].text_content() for li in items] == [HOSTILE, "Erste Meldung"]
    for li in items:
        assert site.get(li.xpath("a/@href")[0]).status_code == 200


def test_the_data_attributes_carry_what_the_queue_player_needs(site: FlaskClient) -> None:
    found = section(site)
    chapters = json.loads(found.get("data-briefing-chapters"))
    assert [c["title"] for c in chapters] == [HOSTILE, "Erste Meldung"]
    assert [c["slug"] for c in chapters] == [li.get("data-slug") for li in found.xpath(".//ol/li")]
    starts = [c["start"] for c in chapters]
    assert starts == sorted(starts) and starts[0] > 0  # after the opening
    assert float(found.get("data-briefing-duration")) > starts[-1]
    assert found.get("data-briefing-audio") == found.xpath(".//audio/@src")[0]
    assert found.get("data-briefing-day") == today(site.application.config["AUDIONEWS"]).isoformat()
    for attribute in ("data-briefing-transcript", "data-briefing-chapters-url"):
        assert site.get(found.get(attribute)).status_code == 200
    raw = site.get("/").get_data(as_text=True)
    assert "<script>alert" not in raw


def test_the_briefing_feed_is_listed_beside_the_other_two(site: FlaskClient) -> None:
    page = html.fromstring(site.get("/").data)
    assert page.xpath("//a[@href='/feed/briefing.xml']/text()") == ["Die Nachrichten des Tages"]
    assert page.xpath("//link[@rel='alternate']/@href") == [
        "/feed.xml",
        "/feed/kurz.xml",
        "/feed/briefing.xml",
    ]


def test_an_older_briefing_is_offered_as_the_newest_and_none_without_one(
    site: FlaskClient,
) -> None:
    app = site.application
    with app.app_context():
        yesterday = today(app.config["AUDIONEWS"]) - dt.timedelta(days=1)
        db.session.execute(update(Briefing).values(day=yesterday))
        db.session.commit()
    assert "Die neueste Ausgabe" in section(site).text_content()
    with app.app_context():
        db.session.execute(update(Briefing).values(superseded_at=dt.datetime(2025, 1, 1)))
        db.session.commit()
    page = html.fromstring(site.get("/").data)
    assert page.xpath("//section[@id='nachrichten-des-tages']") == []
