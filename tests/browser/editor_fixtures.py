"""A running back office for browser tests: a real server, an embedded worker, an editor."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from audionews import catalog, create_app
from audionews.articles import parse_json
from audionews.db import db
from audionews.models import Editor
from audionews.tts.breaker import breaker_for
from tests.browser.conftest import HOSTILE
from tests.conftest import base_settings

NAME, PASSWORD = "redakteurin", "sehr-geheimes-passwort"


@dataclass
class Office:
    url: str
    app: Flask
    hostile: str

    def login(self, page: Any) -> None:
        page.goto(self.url + "/redaktion/anmelden")
        page.get_by_label("Name").fill(NAME)
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(self.url + "/redaktion/")


@pytest.fixture(scope="session")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    from workers.embedded import start_embedded

    for name in ("gtts", "espeak"):
        breaker_for(name).reset()
    app = create_app(base_settings(tmp_path_factory.mktemp("office"), FEED_RECHECK_SECONDS=0.0))
    with app.test_request_context():
        db.session.add(Editor(name=NAME, password_hash=generate_password_hash(PASSWORD, "scrypt")))
        db.session.commit()
        hostile = catalog.save(parse_json({**HOSTILE, "published": True}), actor=NAME)
        slug = hostile.article.slug
    worker = start_embedded(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Office(f"http://127.0.0.1:{server.server_port}", app, slug)
    finally:
        server.shutdown()
        thread.join(10)
        worker.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def editor_page(page: Any, office: Office) -> Any:
    """A logged-in page that also fails on any Content-Security-Policy violation."""
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    office.login(page)
    yield page
    assert not violations, violations
