"""The back-office page of the day's briefing: state, player, and the editors' order."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import html
from sqlalchemy import select

from audionews import catalog
from audionews.articles import parse_json
from audionews.days import today
from audionews.db import db
from audionews.jobs import briefing_job, day_job
from audionews.models import Article, AuditEvent, NewsDay
from tests.helpers import SHORT_ARTICLE
from tests.web.editor.helpers_editor import run_queued

PATH = "/redaktion/nachrichten-des-tages"
TITLES = ("Erste Meldung", "Zweite Meldung", "Dritte Meldung")


@pytest.fixture
def sent(sqlite_app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[dt.date]:
    messages: list[dt.date] = []
    monkeypatch.setattr(day_job, "send_day", lambda day: messages.append(day) or True)
    with sqlite_app.test_request_context():
        for title in TITLES:
            catalog.save(parse_json(SHORT_ARTICLE | {"title": title}))
    run_queued(sqlite_app)
    with sqlite_app.test_request_context():
        assert day_job.build_day(today(sqlite_app.config["AUDIONEWS"])) == day_job.BUILT
    messages.clear()
    return messages


def ids(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {a.title: a.id for a in db.session.scalars(select(Article))}


def order(app: Flask) -> list[str]:
    with app.app_context():
        row = briefing_job.current(today(app.config["AUDIONEWS"]))
        assert row is not None
        return [c["title"] for c in row.chapters if c["slug"]]


def test_the_page_shows_the_briefing_and_its_order(
    editor_client: FlaskClient, sent: list[dt.date]
) -> None:
    page = editor_client.get(PATH)
    assert page.status_code == 200
    tree = html.fromstring(page.data)
    assert tree.xpath("//h1/text()") == ["Nachrichten des Tages"]
    assert tree.xpath("//nav//a[@aria-current='page']/text()") == ["Nachrichten des Tages"]
    assert tree.xpath("//audio/@src")[0].startswith("/media/nachrichten-")
    rows = tree.xpath("//tbody/tr")
    assert [r.xpath("th/a/text()")[0] for r in rows] == list(reversed(TITLES))
    for row in rows:
        (field,) = row.xpath(".//input[@type='number']")
        (label,) = row.xpath(".//label")
        assert label.get("for") == field.get("id") and "Position von" in label.text_content()
        assert row.xpath("td[last()]/text()") == ["Ja"]
    assert "3 Meldungen" in page.get_data(as_text=True)


def test_editors_set_the_order_and_the_briefing_follows(
    sqlite_app: Flask, editor_client: FlaskClient, sent: list[dt.date]
) -> None:
    found = ids(sqlite_app)
    day = today(sqlite_app.config["AUDIONEWS"])
    positions = {"Erste Meldung": "1", "Zweite Meldung": "3", "Dritte Meldung": "2"}
    form = {f"position-{found[t]}": p for t, p in positions.items()}
    res = editor_client.post(
        f"{PATH}/{day.isoformat()}",
        data=form | {"csrf_token": editor_client.csrf},  # type: ignore[attr-defined]
    )
    assert res.status_code == 302 and res.headers["Location"].endswith(f"?tag={day}")
    assert sent == [day]  # marked, so the day job builds it
    with sqlite_app.app_context():
        state = db.session.get(NewsDay, day)
        assert state is not None
        assert state.article_order == [found[t] for t in TITLES[:1] + TITLES[2:0:-1]]
        assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == (
            "briefing-order"
        )
    with sqlite_app.test_request_context():
        assert day_job.build_day(day) == day_job.BUILT
    assert order(sqlite_app) == ["Erste Meldung", "Dritte Meldung", "Zweite Meldung"]
    page = editor_client.get(res.headers["Location"]).get_data(as_text=True)
    assert "Reihenfolge gespeichert" in page and "Die Redaktion hat die Reihenfolge" in page
    # Back to newest first.
    res = editor_client.post(
        f"{PATH}/{day.isoformat()}",
        data={"automatisch": "1", "csrf_token": editor_client.csrf},  # type: ignore[attr-defined]
    )
    assert res.status_code == 302
    with sqlite_app.test_request_context():
        assert day_job.build_day(day) == day_job.BUILT
    assert order(sqlite_app) == list(reversed(TITLES))


@pytest.mark.parametrize("bad", ["0", "4", "x", ""])
def test_a_bad_position_is_named_and_nothing_is_stored(
    sqlite_app: Flask, editor_client: FlaskClient, sent: list[dt.date], bad: str
) -> None:
    found = ids(sqlite_app)
    day = today(sqlite_app.config["AUDIONEWS"])
    form = {f"position-{i}": "1" for i in found.values()} | {
        f"position-{found['Zweite Meldung']}": bad
    }
    res = editor_client.post(
        f"{PATH}/{day.isoformat()}",
        data=form | {"csrf_token": editor_client.csrf},  # type: ignore[attr-defined]
    )
    assert res.status_code == 400
    page = res.get_data(as_text=True)
    assert "„Zweite Meldung“: bitte eine Position von 1 bis 3 angeben." in page
    assert "<title>Fehler: Nachrichten des Tages" in page
    assert f'href="#f-position-{found["Zweite Meldung"]}"' in page
    assert f'value="{bad}"' in page  # what the editor typed stays
    assert sent == []
    with sqlite_app.app_context():
        state = db.session.get(NewsDay, day)
        assert state is not None and state.article_order is None


def test_other_days_and_bad_dates(editor_client: FlaskClient, sent: list[dt.date]) -> None:
    page = editor_client.get(f"{PATH}?tag=2020-01-01").get_data(as_text=True)
    assert "An diesem Tag wurde kein Artikel veröffentlicht." in page
    assert "Für diesen Tag gibt es noch keine Sendung." in page
    bad = editor_client.get(f"{PATH}?tag=gestern")
    assert bad.status_code == 400
    assert "Bitte einen Tag als Datum angeben" in bad.get_data(as_text=True)
    res = editor_client.post(
        f"{PATH}/kein-tag",
        data={"csrf_token": editor_client.csrf},  # type: ignore[attr-defined]
    )
    assert res.status_code == 400 and sent == []


def test_the_page_needs_a_login(sqlite_app: Flask) -> None:
    res = sqlite_app.test_client().get(PATH)
    assert res.status_code in {302, 401}
    assert re.search("anmelden", res.headers.get("Location", ""))
