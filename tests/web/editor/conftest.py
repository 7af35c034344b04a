"""Back-office fixtures: an editor account and a logged-in test client."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from audionews.db import db
from audionews.models import Editor

PASSWORD = "richtig-geheim-123"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_editor(app: Flask, name: str = "anna", password: str = PASSWORD) -> None:
    with app.app_context():
        db.session.add(Editor(name=name, password_hash=generate_password_hash(password, "scrypt")))
        db.session.commit()


def csrf_token(client: FlaskClient, path: str = "/redaktion/anmelden") -> str:
    page = client.get(path).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, name: str = "anna", password: str = PASSWORD) -> str:
    """Log in and return a CSRF token valid for the new session."""
    token = csrf_token(client)
    response = client.post(
        "/redaktion/anmelden", data={"name": name, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf_token(client, "/redaktion/")


@pytest.fixture
def editor_client(sqlite_app: Flask) -> FlaskClient:
    make_editor(sqlite_app)
    client = sqlite_app.test_client()
    client.csrf = login(client)  # type: ignore[attr-defined]
    return client
