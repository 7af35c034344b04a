"""Paging (#15): the API's article list (page, before, limit) and the dashboard's filters and
pages, all in the database; the search index of migration 0008 for existing articles."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from alembic import command
from flask import Flask
from sqlalchemy import create_engine, text

from audionews import create_app
from audionews.db import db
from audionews.models import Article
from audionews.schema import alembic_config
from audionews.web.editor import dashboard
from bench.seed import seed
from tests.conftest import base_settings
from tests.web.editor.conftest import login, make_editor

SHARED = {
    "engine": "espeak",
    "voice": "de",
    "options": {},
    "files": {"summary": "s.mp3", "body": "b.mp3", "episode": "e.mp3"},
    "sizes": {"summary": 1, "body": 1, "episode": 1},
    "durations": {"summary": 1.0, "body": 1.0, "episode": 2.0},
    "chapters": {"title": 0.0, "summary": 0.5, "body": 1.0},
    "cues": [],
    "synthesized": 0,
    "cached": 0,
    "cache_keys": {},
}


def slugs(body: dict) -> list[str]:
    return [item["slug"] for item in body["articles"]]


def test_the_api_lists_articles_a_page_at_a_time(app: Flask) -> None:
    seed(app, SHARED, 7)
    client = app.test_client()
    everything = [f"meldung-{n:05d}" for n in range(7)]  # seeded newest first
    first = client.get("/api/v1/articles?limit=3").get_json()
    assert slugs(first) == everything[:3]
    assert first["limit"] == 3 and first["page"] == 1
    assert first["next"] == "/api/v1/articles?limit=3&page=2"
    assert first["next_before"] == everything[2]
    second = client.get(first["next"]).get_json()
    assert slugs(second) == everything[3:6]
    last = client.get("/api/v1/articles?limit=3&page=3").get_json()
    assert slugs(last) == everything[6:] and last["next"] is None
    before = client.get(f"/api/v1/articles?limit=2&before={everything[2]}").get_json()
    assert slugs(before) == everything[3:5]
    assert before["next"] == f"/api/v1/articles?limit=2&before={everything[4]}"
    assert len(slugs(client.get("/api/v1/articles").get_json())) == 7
    assert client.get("/api/v1/articles?limit=200").status_code == 200
    for query in (
        "limit=0",
        "limit=201",
        "limit=x",
        "page=0",
        "page=-1",
        "before=nope",
        "page=2&before=meldung-00001",
        "limit=99999999999999999999",
    ):
        response = client.get(f"/api/v1/articles?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["error"] == "invalid_parameter"


def test_the_dashboard_pages_and_filters_in_the_database(app: Flask) -> None:
    seed(app, SHARED, 60)
    with app.app_context():
        oldest = db.session.get(Article, 60)
        assert oldest is not None
        oldest.title = "Ein ganz besonderer Titel_mit%Zeichen"
        db.session.commit()
    make_editor(app)
    client = app.test_client()
    login(client)
    page = client.get("/redaktion/").get_data(as_text=True)
    assert page.count('name="slug"') == dashboard.PAGE
    assert "60 Artikel (hier 1 bis 50)" in page
    assert 'href="/redaktion/?seite=2" rel="next"' in page
    second = client.get("/redaktion/?seite=2").get_data(as_text=True)
    assert second.count('name="slug"') == 10 and "hier 51 bis 60" in second
    found = client.get("/redaktion/", query_string={"q": "titel_mit%"}).get_data(as_text=True)
    assert found.count('name="slug"') == 1 and "besonderer Titel" in found
    none = client.get("/redaktion/", query_string={"q": "_%"}).get_data(as_text=True)
    assert none.count('name="slug"') == 0  # % and _ are letters here, not wildcards
    ready = client.get("/redaktion/?status=ready").get_data(as_text=True)
    assert "60 Artikel mit Status „Fertig“" in ready
    assert 'name="slug"' not in client.get("/redaktion/?status=failed").get_data(as_text=True)
    today = dt.date.today()
    days = [today - dt.timedelta(days=n) for n in range(-1, 5)]
    counted = {}
    for day in days:
        html = client.get(f"/redaktion/?tag={day.isoformat()}").get_data(as_text=True)
        match = re.search(r"(\d+) Artikel, geändert am", html)
        counted[day] = int(match.group(1)) if match else 0
    assert sum(counted.values()) == 60  # each article on the day it was changed
    assert max(counted.values()) == 25  # seeded 25 a day
    status = client.get("/redaktion/status.json?seite=2").get_json()
    assert len(status["articles"]) == 10


def test_migration_0008_indexes_existing_articles(tmp_path: Path, database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0007")
        for number, published in ((1, True), (2, False)):
            connection.execute(
                text(
                    "INSERT INTO article (id, guid, slug, title, summary, body, links, revision, "
                    "content_hash, published, published_at, created_at, updated_at, updated_by, "
                    "version) VALUES (:id, :guid, :slug, :title, '', :body, '[]', 1, 'h', "
                    ":published, :at, :at, :at, '', 1)"
                ),
                {
                    "id": number,
                    "guid": f"guid-{number}",
                    "slug": f"alt-{number}",
                    "title": f"Alte Meldung {number}",
                    "body": "Die Straßenbahnen streiken.",
                    "published": published,
                    "at": dt.datetime(2025, 5, 1, 8, number),
                },
            )
            connection.execute(
                text(
                    "INSERT INTO rendition (article_id, revision, engine, voice, options, files, "
                    "sizes, durations, chapters, cues, synthesized, cached, cache_keys, "
                    "created_at) VALUES (:id, 1, 'espeak', '', '{}', '{\"summary\": \"s.mp3\"}', "
                    "'{}', '{}', '{}', '[]', 0, 0, '{}', :at)"
                ),
                {"id": number, "at": dt.datetime(2025, 5, 1, 9)},
            )
    engine.dispose()
    app = create_app(base_settings(tmp_path, DATABASE_URL=database_url))  # upgrades to 0008
    try:
        page = app.test_client().get("/suche?q=Strassenbahn").get_data(as_text=True)
        assert re.findall(r'href="/artikel/(alt-\d)"', page) == ["alt-1"]
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
