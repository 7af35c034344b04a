"""The archive (#15): the news days of a year, a day's articles, briefing and DAISY book,
links to the right days (the day start and the time zone decide), and 404s for bad dates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from audionews.days import day_bounds, today
from audionews.db import db
from audionews.models import Briefing, DaisyBook
from audionews.web.archive import day_label
from tests.web.test_search import add


@pytest.fixture
def archive(app: Flask) -> Iterator[tuple[FlaskClient, dict[str, Any]]]:
    settings = app.config["AUDIONEWS"]
    settings["DAY_START_HOUR"] = 4
    now = today(settings)
    day1, day2 = now - dt.timedelta(days=3), now - dt.timedelta(days=2)
    start2, _ = day_bounds(day2, settings)
    old = dt.date(now.year - 1, 6, 15)
    placed = {
        # Half an hour before the day start of day2: still day1's news.
        "late": (day1, start2 - dt.timedelta(minutes=30)),
        "noon": (day1, day_bounds(day1, settings)[0] + dt.timedelta(hours=8)),
        "early": (day2, start2 + dt.timedelta(minutes=30)),
        "old": (old, day_bounds(old, settings)[0] + dt.timedelta(hours=8)),
    }
    with app.test_request_context():
        add({"title": "Heute: Kurzmeldung"})
        slugs = {}
        for name, (_day, moment) in placed.items():
            article = add({"title": f"Archiv {name}", "body": f"Meldung {name}."})
            article.published_at = moment
            slugs[name] = article.slug
        hidden = add({"title": "Archiv versteckt"}, published=False)
        hidden.published_at = start2 + dt.timedelta(hours=1)  # was public once, now withdrawn
        db.session.add(
            Briefing(
                day=day1,
                key="k",
                title=f"Die Nachrichten vom {day1.isoformat()}",
                files={"audio": "b.mp3", "transcript_vtt": "b.vtt", "chapters": "b.json"},
                size=1000,
                duration=61.0,
                chapters=[
                    {
                        "article": None,
                        "slug": slugs["noon"],
                        "title": "Archiv noon",
                        "start": 0.0,
                        "end": 30.0,
                    }
                ],
            )
        )
        db.session.add(
            DaisyBook(
                day=day1,
                key="d",
                title="DAISY",
                file="tagesausgabe-x-daisy.zip",
                size=5000,
                articles=[1, 2],
            )
        )
        db.session.commit()
    yield app.test_client(), {"day1": day1, "day2": day2, "old": old, "slugs": slugs, "now": now}


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def teasers(html: str) -> list[str]:
    return re.findall(r'<h2 id="t-\d+"><a href="/artikel/([^"]+)">', html)


def test_the_index_links_the_days_with_news(archive: tuple[FlaskClient, dict[str, Any]]) -> None:
    client, facts = archive
    html = page(client, "/archiv/")
    linked = re.findall(
        r'<a href="/archiv/(\d{4}-\d\d-\d\d)">([^<]+)</a> <span class="meta">\((\d+) Beitr', html
    )
    this_year = [
        (facts["now"], 1),
        (facts["day2"], 1),
        (facts["day1"], 2),
    ]
    expected = [
        (d.isoformat(), day_label(d), str(n)) for d, n in this_year if d.year == facts["now"].year
    ]
    assert linked == expected
    assert f'href="/archiv/?jahr={facts["old"].year}"' in html
    older = page(client, f"/archiv/?jahr={facts['old'].year}")
    assert f'href="/archiv/{facts["old"].isoformat()}"' in older
    assert "<h2" in html and "<h1>Archiv" in html


def test_a_day_lists_its_articles_briefing_and_daisy_book(
    archive: tuple[FlaskClient, dict[str, Any]],
) -> None:
    client, facts = archive
    slugs, day1, day2 = facts["slugs"], facts["day1"], facts["day2"]
    html = page(client, f"/archiv/{day1.isoformat()}")
    assert teasers(html) == [slugs["late"], slugs["noon"]]  # newest first
    assert f"<h1>Nachrichten vom {day_label(day1)}</h1>" in html
    assert 'id="h-briefing"' in html and "Alle Meldungen dieses Tages" in html
    assert f'href="/daisy/{day1.isoformat()}.zip"' in html
    assert f'href="/archiv/{day2.isoformat()}">Nächster Tag' in html
    assert f'href="/archiv/{facts["old"].isoformat()}">Vorheriger Tag' in html
    second = page(client, f"/archiv/{day2.isoformat()}")
    assert teasers(second) == [slugs["early"]]  # the withdrawn one is not there
    assert "h-briefing" not in second and "/daisy/" not in second


def test_the_home_page_links_the_archive(archive: tuple[FlaskClient, dict[str, Any]]) -> None:
    client, _facts = archive
    html = page(client, "/")
    assert '<a href="/archiv/">' in html


@pytest.mark.parametrize(
    "path",
    [
        "/archiv/2026-13-01",
        "/archiv/2026-02-30",
        "/archiv/0001-01-01",
        "/archiv/abcdefghij",
        "/archiv/2026-1-011",
        "/archiv/+2026-1-01",
        "/archiv/2026_12_01",
        "/archiv/20261201",
        "/archiv/2026-12-01x",
        "/archiv/%E2%80%A62026-12",
        "/archiv/1999-01-01",
        "/archiv/?jahr=abcd",
        "/archiv/?jahr=1999",
        "/archiv/?jahr=99999999999999999999",
    ],
)
def test_bad_or_empty_days_are_a_german_404(
    archive: tuple[FlaskClient, dict[str, Any]], path: str
) -> None:
    client, _facts = archive
    html = page(client, path, 404)
    assert 'lang="de"' in html and "Fehler 404" in html


def test_odd_page_numbers_of_a_day_get_a_page(archive: tuple[FlaskClient, dict[str, Any]]) -> None:
    client, facts = archive
    for seite in ("0", "-1", "x", "99999999999", "2"):
        response = client.get(f"/archiv/{facts['day1'].isoformat()}?seite={seite}")
        assert response.status_code in (200, 404), seite


def test_an_empty_archive_says_so(app: Flask) -> None:
    html = page(app.test_client(), "/archiv/")
    assert "Noch keine Nachrichten im Archiv." in html
