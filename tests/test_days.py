"""News days: the newsroom's time zone and day start, and when an article went public."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient

from audionews import config, days
from audionews.db import db
from audionews.models import Article
from tests.helpers import SHORT_ARTICLE

BERLIN = {"TIMEZONE": "Europe/Berlin", "DAY_START_HOUR": 0}


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args)  # database times are naive UTC


@pytest.mark.parametrize(
    ("moment", "settings", "day"),
    [
        # 23:30 UTC in winter is 00:30 in Berlin: already the next day there.
        (utc(2026, 12, 1, 23, 30), BERLIN, dt.date(2026, 12, 2)),
        (utc(2026, 12, 1, 22, 59), BERLIN, dt.date(2026, 12, 1)),
        # Summer time: Berlin is UTC+2.
        (utc(2026, 7, 1, 21, 59), BERLIN, dt.date(2026, 7, 1)),
        (utc(2026, 7, 1, 22, 0), BERLIN, dt.date(2026, 7, 2)),
        # A day that starts at 04:00: 03:59 local still belongs to the day before.
        (utc(2026, 12, 2, 2, 59), BERLIN | {"DAY_START_HOUR": 4}, dt.date(2026, 12, 1)),
        (utc(2026, 12, 2, 3, 0), BERLIN | {"DAY_START_HOUR": 4}, dt.date(2026, 12, 2)),
        (utc(2026, 12, 2, 3, 0), {"TIMEZONE": "UTC", "DAY_START_HOUR": 0}, dt.date(2026, 12, 2)),
    ],
)
def test_news_day(moment: dt.datetime, settings: dict[str, object], day: dt.date) -> None:
    assert days.news_day(moment, settings) == day


def test_day_bounds_follow_daylight_saving() -> None:
    # 29 March 2026: clocks go from 02:00 to 03:00 in Berlin, so the day has 23 hours.
    start, end = days.day_bounds(dt.date(2026, 3, 29), BERLIN)
    assert start == utc(2026, 3, 28, 23, 0)
    assert end == utc(2026, 3, 29, 22, 0)
    # 25 October 2026, 03:00 summer time becomes 02:00: a news day from 04:00 to 04:00 that
    # holds the change (the one starting on the 24th) has 25 hours.
    four = BERLIN | {"DAY_START_HOUR": 4}
    start, end = days.day_bounds(dt.date(2026, 10, 24), four)
    assert (start, end) == (utc(2026, 10, 24, 2, 0), utc(2026, 10, 25, 3, 0))
    # Every moment of a day maps back to that day, and the bounds touch.
    for moment in (start, end - dt.timedelta(seconds=1)):
        assert days.news_day(moment, four) == dt.date(2026, 10, 24)
    assert days.day_bounds(dt.date(2026, 10, 25), four)[0] == end


@pytest.mark.parametrize(
    ("name", "value"),
    [("TIMEZONE", "Mars/Olympus"), ("TIMEZONE", "../etc"), ("DAY_START_HOUR", "24")],
)
def test_bad_day_settings_are_refused(name: str, value: str) -> None:
    with pytest.raises(config.SettingsError, match=f"AUDIONEWS_{name}"):
        config.load({f"AUDIONEWS_{name}": value})


def _create(client: FlaskClient, auth: dict[str, str], **extra: object) -> str:
    response = client.post("/api/v1/articles", json=SHORT_ARTICLE | extra, headers=auth)
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["slug"])


def _article(app: Flask, slug: str) -> Article:
    with app.app_context():
        row = db.session.query(Article).filter_by(slug=slug).one()
        db.session.expunge(row)
        return row


def test_published_at_is_set_once_by_the_first_publication(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    slug = _create(client, auth, published=False)
    assert _article(app, slug).published_at is None
    body = SHORT_ARTICLE | {"published": True}
    assert client.put(f"/api/v1/articles/{slug}", json=body, headers=auth).status_code == 200
    first = _article(app, slug).published_at
    assert first is not None
    # Withdrawn and published again: the article keeps the day it first went public.
    for published in (False, True):
        body = SHORT_ARTICLE | {"published": published}
        assert client.put(f"/api/v1/articles/{slug}", json=body, headers=auth).status_code == 200
    assert _article(app, slug).published_at == first


def test_published_on_lists_the_days_public_articles_newest_first(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    slugs = [_create(client, auth, title=f"Meldung Nummer {n}") for n in range(3)]
    hidden = _create(client, auth, title="Noch geheim", published=False)
    settings = app.config["AUDIONEWS"]
    with app.app_context():
        rows = {a.slug: a for a in db.session.query(Article).all()}
        # Two on 1 December (Berlin), one late on 30 November.
        rows[slugs[0]].published_at = utc(2026, 12, 1, 6, 0)
        rows[slugs[1]].published_at = utc(2026, 12, 1, 22, 30)
        rows[slugs[2]].published_at = utc(2026, 11, 30, 22, 59)
        db.session.commit()
        listed = db.session.scalars(days.published_on(dt.date(2026, 12, 1), settings)).all()
        assert [a.slug for a in listed] == [slugs[1], slugs[0]]
        before = db.session.scalars(days.published_on(dt.date(2026, 11, 30), settings)).all()
        assert [a.slug for a in before] == [slugs[2]]
        assert hidden not in {a.slug for a in listed + before}
