"""The listing pages ask the database the same number of questions at 4 articles and at 60 (#15).

Every statement sent to the database is counted (SQLAlchemy's `before_cursor_execute`):
a query per listed article would grow with the number of articles.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from audionews.days import today
from audionews.db import db
from audionews.models import Rendition
from bench.seed import seed
from tests.web.editor.conftest import login, make_editor
from tests.web.test_search import add


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def pages(app: Flask) -> dict[str, str]:
    day = today(app.config["AUDIONEWS"]).isoformat()
    return {
        "home": "/",
        "dashboard": "/redaktion/",
        "dashboard filtered": "/redaktion/?status=ready&q=meldung",
        "status.json": "/redaktion/status.json",
        "archive": "/archiv/",
        "archive day": f"/archiv/{day}",
        "search": "/suche?q=Streiks",
        "api": "/api/v1/articles",
    }


def queries(app: Flask, client: FlaskClient) -> dict[str, int]:
    found = {}
    for name, path in pages(app).items():
        assert client.get(path).status_code == 200, path  # warm: the first visit may cache
        with counted(app) as statements:
            response = client.get(path)
        assert response.status_code == 200, path
        found[name] = len(statements)
    return found


def listed(client: FlaskClient) -> dict[str, int]:
    home = client.get("/").get_data(as_text=True)
    dashboard = client.get("/redaktion/").get_data(as_text=True)
    search = client.get("/suche?q=Streiks").get_data(as_text=True)
    api = client.get("/api/v1/articles").get_json()
    return {
        "home": home.count('<article class="teaser"'),
        "dashboard": dashboard.count('<input type="checkbox" name="slug"'),
        "search": search.count('<li class="hit">'),
        "api": len(api["articles"]),
    }


def test_no_query_per_listed_article(app: Flask) -> None:
    with app.test_request_context():
        add({"title": "Der erste Streik", "body": "Streiks überall."})
        template = db.session.scalar(select(Rendition))
        assert template is not None
        shared = {
            column: getattr(template, column)
            for column in ("engine", "voice", "options", "files", "sizes", "durations")
        } | {"chapters": template.chapters, "cues": [], "cache_keys": {}}
        shared |= {"synthesized": 0, "cached": 0}
    make_editor(app)
    client = app.test_client()
    login(client)
    seed(app, shared, 3, start=1)
    few, few_listed = queries(app, client), listed(client)
    seed(app, shared, 57, start=4)
    many, many_listed = queries(app, client), listed(client)
    assert many == few
    # And the pages did list more (bounded: the home page shows today's 25 and 10 before).
    assert few_listed == {"home": 4, "dashboard": 4, "search": 4, "api": 4}
    assert many_listed == {"home": 35, "dashboard": 50, "search": 20, "api": 50}


@pytest.fixture(autouse=True)
def _quiet_login_limits(app: Flask) -> None:
    app.config["RATELIMIT_ENABLED"] = False
