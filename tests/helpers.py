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
