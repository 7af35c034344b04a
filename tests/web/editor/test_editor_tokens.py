"""API tokens from the back office and the CLI: shown once, stored hashed, revocable."""

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
from audionews.models import ApiToken, hash_token
from tests.helpers import SHORT_ARTICLE


def test_token_is_shown_once_stored_hashed_and_revocable(
    sqlite_app: Flask, editor_client: FlaskClient
) -> None:
    token = editor_client.csrf  # type: ignore[attr-defined]
    empty = editor_client.post("/redaktion/tokens", data={"name": " ", "csrf_token": token})
    assert empty.status_code == 400 and "Bitte einen Namen eingeben" in empty.get_data(as_text=True)
    page = editor_client.post(
        "/redaktion/tokens", data={"name": "CMS", "csrf_token": token}
    ).get_data(as_text=True)
    clear = re.search(r'id="token-wert" type="text" readonly value="(an_[^"]+)"', page)
    assert clear is not None
    secret = clear.group(1)
    assert secret not in editor_client.get("/redaktion/tokens").get_data(as_text=True)
    with sqlite_app.app_context():
        row = db.session.query(ApiToken).one()
        assert row.token_hash == hash_token(secret) and secret not in row.token_hash
    api = sqlite_app.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert api.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth).status_code == 201
    editor_client.post(f"/redaktion/tokens/{row.id}/widerrufen", data={"csrf_token": token})
    refused = api.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth)
    assert refused.status_code == 401
    log = editor_client.get("/redaktion/protokoll").get_data(as_text=True)
    assert "API-Token widerrufen" in log and "API: CMS" in log  # the API's create is logged too


def test_cli_token_revoke_by_name_or_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AUDIONEWS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    first = runner.invoke(cli, ["token", "create", "cms"]).output.strip().splitlines()[-1]
    second = runner.invoke(cli, ["token", "create", "import"]).output.strip().splitlines()[-1]
    result = runner.invoke(cli, ["token", "revoke", "cms"])
    assert result.exit_code == 0 and "widerrufen" in result.output
    result = runner.invoke(cli, ["token", "revoke", "2"])
    assert result.exit_code == 0 and "„import“" in result.output
    result = runner.invoke(cli, ["token", "revoke", "cms"])
    assert result.exit_code == 1 and "Kein gültiges API-Token" in result.output
    app = create_app()
    with app.app_context():
        assert ApiToken.find(first) is None and ApiToken.find(second) is None
        db.session.remove()
        db.engine.dispose()


def test_cli_never_guesses_between_a_name_and_a_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AUDIONEWS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    production = runner.invoke(cli, ["token", "create", "Redaktionssystem"]).output.split()[-1]
    named_one = runner.invoke(cli, ["token", "create", "1"]).output.split()[-1]
    result = runner.invoke(cli, ["token", "revoke", "1"])
    assert result.exit_code == 1 and "nichts widerrufen" in result.output
    odd = runner.invoke(cli, ["token", "revoke", "²"])
    assert odd.exit_code == 1 and "Traceback" not in odd.output
    app = create_app()
    with app.app_context():
        assert ApiToken.find(production) is not None and ApiToken.find(named_one) is not None
        db.session.remove()
        db.engine.dispose()
