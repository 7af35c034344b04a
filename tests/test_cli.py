"""The `audionews` command, run in-process with click's CliRunner and as a real process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from audionews import create_app
from audionews.cli import cli
from audionews.db import db
from audionews.models import Article, Editor
from tests.conftest import worker_env
from tests.helpers import sample_text
from tests.services import free_port


@contextmanager
def serving(env: dict[str, str], cwd: Path) -> Iterator[int]:
    """Run `audionews serve --dev` on a free port for the duration of the block."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "audionews", "serve", "--dev", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    for key in list(os.environ):
        if key.startswith("AUDIONEWS_"):
            monkeypatch.delenv(key)
    values = {
        "AUDIONEWS_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "AUDIONEWS_MEDIA_DIR": str(tmp_path / "media"),
        "AUDIONEWS_TTS_ENGINE": "espeak",
        "AUDIONEWS_TTS_FALLBACK": "",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    yield values


def article_count() -> int:
    app = create_app()
    with app.app_context():
        count = int(db.session.scalar(select(func.count()).select_from(Article)) or 0)
        db.engine.dispose()
    return count


def test_import_samples_and_wait(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["import", "--samples", "--wait"])
    assert result.exit_code == 0, result.output
    assert result.output.count(": fertig (espeak)") == 3
    assert article_count() == 3
    again = CliRunner().invoke(cli, ["import", "--samples", "--wait"])
    assert again.exit_code == 0
    assert again.output.count("unverändert") == 3
    assert "fertig" not in again.output


def test_import_refuses_a_bad_batch_whole(env: dict[str, str], tmp_path: Path) -> None:
    good = tmp_path / "gut.txt"
    good.write_text(sample_text(), "utf-8")
    bad = tmp_path / "leer.txt"
    bad.write_bytes(b"")
    result = CliRunner().invoke(cli, ["import", str(good), str(bad)])
    assert result.exit_code == 1
    assert "leer.txt" in result.output and "Nichts importiert" in result.output
    assert "Traceback" not in result.output
    assert article_count() == 0


def test_import_follows_the_article_size_setting(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same limit as the API and the back office: AUDIONEWS_MAX_ARTICLE_BYTES.
    big = tmp_path / "lang.txt"
    big.write_text(sample_text() + "\n" + "Noch ein langer Satz für das Archiv. " * 7000, "utf-8")
    assert 200_000 < big.stat().st_size < 400_000
    refused = CliRunner().invoke(cli, ["import", str(big)])
    assert refused.exit_code == 1 and "200 kB" in refused.output, refused.output
    monkeypatch.setenv("AUDIONEWS_MAX_ARTICLE_BYTES", "400000")
    accepted = CliRunner().invoke(cli, ["import", str(big)])
    assert accepted.exit_code == 0, accepted.output
    assert article_count() == 1


def test_import_missing_file(env: dict[str, str], tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "fehlt.txt")])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_render_named_and_unknown(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(sample_text(), "utf-8")
    assert CliRunner().invoke(cli, ["import", str(path), "--wait"]).exit_code == 0
    slug = "bahnverkehr-gdl-kuendigt-neuen-warnstreik-an"
    result = CliRunner().invoke(cli, ["render", slug, "--wait"])
    assert result.exit_code == 0, result.output
    assert f"{slug}: fertig" in result.output
    result = CliRunner().invoke(cli, ["render", "gibt-es-nicht"])
    assert result.exit_code == 1
    assert "gibt-es-nicht" in result.output
    assert CliRunner().invoke(cli, ["render"]).exit_code == 2


def test_token_create_prints_the_token_last(env: dict[str, str], tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["token", "create", "skript"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("an_") and " " not in token
    app = create_app()
    client = app.test_client()
    res = client.post(
        "/api/v1/articles",
        data=sample_text().encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
    )
    assert res.status_code == 201


def test_editor_create_reads_password_from_stdin(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["editor", "create", "anna"], input="ein-langes-passwort\n")
    assert result.exit_code == 0, result.output
    app = create_app()
    with app.app_context():
        editor = db.session.scalar(select(Editor).where(Editor.name == "anna"))
        assert editor is not None and editor.password_hash.startswith("scrypt:")
    again = CliRunner().invoke(cli, ["editor", "create", "anna"], input="ein-langes-passwort\n")
    assert again.exit_code == 1 and "anna" in again.output
    short = CliRunner().invoke(cli, ["editor", "create", "bert"], input="kurz\n")
    assert short.exit_code == 1 and "10 Zeichen" in short.output


def test_worker_without_broker_explains(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["worker"])
    assert result.exit_code == 1
    assert "AUDIONEWS_BROKER_URL" in result.output


def test_bad_setting_is_one_line(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIONEWS_ESPEAK_RATE", "schnell")
    result = CliRunner().invoke(cli, ["render", "--all"])
    assert result.exit_code == 1
    assert "AUDIONEWS_ESPEAK_RATE" in result.output and "Traceback" not in result.output


def test_serve_on_a_busy_port_is_one_sentence(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIONEWS_DEV", "1")  # and restored afterwards
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert f"127.0.0.1:{port}" in result.output and "--port" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_serve_renders_queued_articles_and_serves_them(tmp_path: Path) -> None:
    """What `make run` does: import, then `audionews serve` renders and serves, no Redis."""
    settings = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "MEDIA_DIR": str(tmp_path / "media"),
        "TTS_ENGINE": "gtts",  # no network here: the breaker sends work to espeak
        "TTS_FALLBACK": "espeak",
    }
    env = worker_env(settings)
    subprocess.run(
        [sys.executable, "-m", "audionews", "import", "--samples"],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=60,
    )
    with serving(env, tmp_path) as port:
        deadline = time.monotonic() + 90
        page = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as res:
                    page = res.read().decode()
                if page.count("<audio controls") >= 6:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        # Summary and body of the three samples (the queue player's own <audio> has no controls).
        assert page.count("<audio controls") == 6, page
        assert 'preload="metadata"' in page and 'lang="de"' in page
        src = page.split("<audio controls", 1)[1].split('src="', 1)[1].split('"', 1)[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{src}", timeout=5) as res:
            assert res.headers["Content-Type"] == "audio/mpeg"
            assert len(res.read()) > 1000


@pytest.mark.slow
def test_import_while_serve_runs_is_rendered_at_once(tmp_path: Path) -> None:
    """Without a broker, `import` hands its jobs to the running `serve` through the queue folder."""
    settings = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "MEDIA_DIR": str(tmp_path / "media"),
        "TTS_ENGINE": "espeak",
        "TTS_FALLBACK": "",
        "SWEEP_SECONDS": 3600,
    }
    env = worker_env(settings)
    with serving(env, tmp_path) as port:
        article = tmp_path / "a.txt"
        article.write_text(sample_text(), "utf-8")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "audionews", "import", str(article)],
            env=env,
            cwd=tmp_path,
            check=True,
            capture_output=True,
            timeout=60,
        )
        url = (
            f"http://127.0.0.1:{port}/api/v1/articles/bahnverkehr-gdl-kuendigt-neuen-warnstreik-an"
        )
        status = ""
        while time.monotonic() - started < 30 and status != "ready":
            with urllib.request.urlopen(url, timeout=2) as res:
                status = json.loads(res.read())["status"]
            time.sleep(0.2)
        assert status == "ready"


def test_unreachable_database_is_one_sentence(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIONEWS_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/x")
    result = CliRunner().invoke(cli, ["render", "--all"])
    assert result.exit_code == 1
    assert "Datenbank ist nicht erreichbar" in result.output
    assert "Traceback" not in result.output


def test_worker_with_a_bad_setting_is_one_sentence(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIONEWS_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("AUDIONEWS_TTS_TIMEOUT", "abc")
    result = CliRunner().invoke(cli, ["worker"])
    assert result.exit_code == 1
    assert "AUDIONEWS_TTS_TIMEOUT" in result.output and "Traceback" not in result.output


def test_the_wait_bar_never_runs_backwards_through_the_phases() -> None:
    """Each phase counts from 0 again (issue 10, item 3): the bar goes on from where it was."""
    from audionews.cli_progress import _percent
    from audionews.models import Job, JobStatus

    shown = []
    for phase in ("synthesis", "planning", "encoding", "joining", "publishing"):
        for done in (0, 5, 10):
            job = Job(status=JobStatus.RENDERING, done=done, total=10, phase=phase)
            shown.append(_percent(job))
    assert shown == sorted(shown) and shown[0] == 0 and shown[-1] == 99
