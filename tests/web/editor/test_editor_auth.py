"""Accounts, sessions, login limits, security headers and the secret-key rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from audionews import create_app
from audionews.cli import cli
from audionews.db import db
from audionews.models import Editor, EditorSession
from tests.conftest import base_settings
from tests.web.editor.conftest import PASSWORD, csrf_token, login, make_editor


def _session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("audionews_session")
    return cookie.value if cookie else None


def _attempt(client: FlaskClient, name: str, password: str, **environ: str) -> int:
    token = csrf_token(client)
    response = client.post(
        "/redaktion/anmelden",
        data={"name": name, "password": password, "csrf_token": token},
        environ_base=environ,
    )
    return response.status_code


def test_login_works_and_wrong_password_names_the_field(sqlite_app: Flask) -> None:
    make_editor(sqlite_app)
    client = sqlite_app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/redaktion/anmelden", data={"name": "anna", "password": "falsch", "csrf_token": token}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Name oder Passwort stimmt nicht." in page
    assert 'aria-describedby="e-password"' in page and 'aria-invalid="true"' in page
    assert 'value="anna"' in page  # what was typed stays
    login(client)
    assert "Angemeldet als anna" in client.get("/redaktion/").get_data(as_text=True)


def test_session_id_changes_at_login_and_dies_at_logout(sqlite_app: Flask) -> None:
    make_editor(sqlite_app)
    client = sqlite_app.test_client()
    csrf_token(client)
    before = _session_cookie(client)
    assert before is not None
    token = login(client)
    after = _session_cookie(client)
    assert after is not None and after != before
    # Replaying the pre-login cookie gives no access.
    stranger = sqlite_app.test_client()
    stranger.set_cookie("audionews_session", before)
    assert stranger.get("/redaktion/").status_code == 302
    # A copy of the logged-in cookie works until logout, then never again.
    thief = sqlite_app.test_client()
    thief.set_cookie("audionews_session", after)
    assert thief.get("/redaktion/").status_code == 200
    client.post("/redaktion/abmelden", data={"csrf_token": token})
    assert thief.get("/redaktion/").status_code == 302
    with sqlite_app.app_context():
        assert db.session.query(EditorSession).count() == 0
    # A second login gets yet another session.
    login(client)
    assert _session_cookie(client) not in {before, after}


def test_two_logins_of_one_account_are_separate_sessions(sqlite_app: Flask) -> None:
    make_editor(sqlite_app)
    first, second = sqlite_app.test_client(), sqlite_app.test_client()
    token = login(first)
    login(second)
    first.post("/redaktion/abmelden", data={"csrf_token": token})
    assert first.get("/redaktion/").status_code == 302
    assert second.get("/redaktion/").status_code == 200


def test_brute_force_gets_429_per_account_and_per_address(sqlite_app: Flask) -> None:
    make_editor(sqlite_app)
    make_editor(sqlite_app, "bert")
    client = sqlite_app.test_client()
    # Per account: five failures from five addresses, then even the right password waits.
    for number in range(5):
        assert _attempt(client, "anna", "falsch", REMOTE_ADDR=f"10.0.0.{number}") == 400
    assert _attempt(client, "anna", "falsch", REMOTE_ADDR="10.0.0.9") == 429
    assert _attempt(client, "anna", PASSWORD, REMOTE_ADDR="10.0.0.10") == 429
    # Per address: one address guessing many accounts is stopped too.
    for number in range(5):
        assert _attempt(client, f"konto{number}", "falsch", REMOTE_ADDR="10.9.9.9") == 400
    response_status = _attempt(client, "bert", PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert response_status == 429
    # Another account from another address is unaffected.
    assert _attempt(client, "bert", PASSWORD, REMOTE_ADDR="10.1.1.1") == 302


def test_429_page_is_german_and_says_when(sqlite_app: Flask) -> None:
    client = sqlite_app.test_client()
    for _ in range(5):
        _attempt(client, "x", "y")
    token = csrf_token(client)
    response = client.post(
        "/redaktion/anmelden", data={"name": "x", "password": "y", "csrf_token": token}
    )
    assert response.status_code == 429
    assert "Zu viele Anfragen" in response.get_data(as_text=True)
    assert "Retry-After" in response.headers


def test_security_headers_on_every_response(sqlite_app: Flask) -> None:
    client = sqlite_app.test_client()
    for path in ("/", "/redaktion/anmelden", "/feed.xml", "/api/v1/articles", "/gibt-es-nicht"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        assert "frame-ancestors 'none'" in policy and "media-src 'self'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(tmp_path: Path) -> None:
    app = create_app(base_settings(tmp_path, BASE_URL="https://news.example.org"))
    client = app.test_client()
    response = client.get("/redaktion/anmelden", base_url="https://news.example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_login_redirects_only_to_back_office_paths(sqlite_app: Flask) -> None:
    make_editor(sqlite_app)
    client = sqlite_app.test_client()
    token = csrf_token(client)
    for target, expected in (
        ("/redaktion/aussprache", "/redaktion/aussprache"),
        ("https://evil.example/", "/redaktion/"),
        ("//evil.example/redaktion/", "/redaktion/"),
    ):
        response = client.post(
            "/redaktion/anmelden",
            query_string={"next": target},
            data={"name": "anna", "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == expected
        token = csrf_token(client, "/redaktion/")


def test_cli_editor_create_hashes_with_scrypt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AUDIONEWS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    result = runner.invoke(cli, ["editor", "create", "carla"], input="kurz\n")
    assert result.exit_code == 1 and "mindestens 10 Zeichen" in result.output
    result = runner.invoke(cli, ["editor", "create", "carla"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["editor", "create", "carla"], input=PASSWORD + "\n")
    assert result.exit_code == 1 and "schon ein Konto" in result.output
    app = create_app()
    with app.app_context():
        editor = db.session.query(Editor).one()
        assert editor.password_hash.startswith("scrypt:") and PASSWORD not in editor.password_hash
        db.session.remove()
        db.engine.dispose()


def test_serve_refuses_to_start_without_secret_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDIONEWS_SECRET_KEY", raising=False)
    monkeypatch.delenv("AUDIONEWS_DEV", raising=False)
    monkeypatch.setenv("AUDIONEWS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    result = CliRunner().invoke(cli, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert "AUDIONEWS_SECRET_KEY ist nicht gesetzt" in result.output
    assert "--dev" in result.output and "Traceback" not in result.output


def test_dev_mode_keeps_a_generated_key(tmp_path: Path) -> None:
    first = create_app(base_settings(tmp_path, SECRET_KEY="", DEV=True))
    second = create_app(base_settings(tmp_path, SECRET_KEY="", DEV=True))
    assert first.secret_key == second.secret_key
    assert re.fullmatch(r"[0-9a-f]{64}", str(first.secret_key))
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()


def test_back_office_stays_shut_without_a_stable_key(tmp_path: Path) -> None:
    # gunicorn 'audionews:create_app()' without AUDIONEWS_SECRET_KEY: every worker process
    # would sign sessions with its own one-off key, so logins would fail at random.
    app = create_app(base_settings(tmp_path, SECRET_KEY="", DEV=False))
    make_editor(app)
    client = app.test_client()
    for path in ("/redaktion/anmelden", "/redaktion/", "/redaktion/aussprache"):
        response = client.get(path)
        assert response.status_code == 503, path
        page = response.get_data(as_text=True)
        assert "Der Redaktionsbereich ist nicht eingerichtet." in page
        assert "AUDIONEWS_SECRET_KEY ist nicht gesetzt" in page
    response = client.post("/redaktion/anmelden", data={"name": "x", "password": PASSWORD})
    assert response.status_code in (400, 503) and _session_cookie(client) is None  # no login
    # listeners are not affected
    assert client.get("/").status_code == 200
    assert client.get("/feed.xml").status_code == 200
    # with a key, or in development mode, the login page is there
    for number, settings in enumerate(({"SECRET_KEY": "k" * 32}, {"SECRET_KEY": "", "DEV": True})):
        (tmp_path / str(number)).mkdir()
        other = create_app(base_settings(tmp_path / str(number), **settings))
        assert other.test_client().get("/redaktion/anmelden").status_code == 200
