"""Small helpers for tests: sample texts and waiting on jobs."""

from __future__ import annotations

import time
from importlib import resources
from typing import Any

from flask.testing import FlaskClient

SAMPLES = ("bahnstreik.txt", "energiepreise.txt", "000_a20df5a97d7413b8.txt")


def sample_text(name: str = "bahnstreik.txt") -> str:
    return (resources.files("audionews") / "samples" / name).read_text("utf-8")


SHORT_ARTICLE: dict[str, Any] = {
    "title": "Kurzmeldung: Testlauf",
    "summary": "Das ist ein kurzer Test. Er prüft die Vertonung.",
    "body": "Der Hauptartikel hat zwei Sätze. Im Herbst ist es kühl.\n\nEin zweiter Absatz folgt.",
    "links": [{"title": "Beispiel", "url": "https://example.org/"}],
}


def wait_status(
    client: FlaskClient, slug: str, statuses: set[str], timeout: float = 60
) -> dict[str, Any]:
    """Poll the API until the article's status is one of `statuses`."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/articles/{slug}").get_json()
        if body["status"] in statuses:
            return body
        time.sleep(0.1)
    raise AssertionError(f"status stayed {body.get('status')!r}: {body}")


def wait_days_built(app: Any, timeout: float = 120) -> None:
    """Wait until every news day's products (briefing, DAISY) are built and no build runs.

    After the last render a worker still builds the day (temporary files, speech through the
    gTTS budget): tests that look at those wait for it first.
    """
    from sqlalchemy import select

    from audionews.db import db
    from audionews.models import NewsDay

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            days = db.session.scalars(select(NewsDay)).all()
            if days and all(d.built >= d.changed and d.building_since is None for d in days):
                return
        time.sleep(0.2)
    raise AssertionError("the day's build did not end")
