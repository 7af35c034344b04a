"""What docs/deploy.md tells an operator to run, run: the gunicorn configuration and the
`migrate` command of an upgrade."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect

from audionews.cli import cli
from audionews.metrics import RENDERS, Metrics
from audionews.schema import alembic_config
from tests.conftest import base_settings, worker_env
from tests.services import free_port, wait_http

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "docs" / "gunicorn.conf.py"


def test_the_documented_gunicorn_configuration_serves(tmp_path: Path) -> None:
    assert f"docs/{CONFIG.name}" in (ROOT / "docs" / "deploy.md").read_text("utf-8")
    port = free_port()
    settings = base_settings(tmp_path)
    # What a render in another process counted: every gunicorn worker must show it.
    Metrics.for_settings(settings).inc(RENDERS, 5, outcome="ready")
    env = worker_env(settings)
    env |= {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"}
    log = (tmp_path / "gunicorn.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(CONFIG)],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_http(port, proc, "/healthz")
        for path in ("/readyz", "/", "/feed.xml", "/metrics"):
            for _ in range(6):  # both workers, most likely
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
                    assert r.status == 200, path
                    if path == "/metrics":
                        assert b'audionews_renders_total{outcome="ready"} 5.0' in r.read()
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
    assert "Traceback" not in (tmp_path / "gunicorn.log").read_text(errors="replace")


def test_migrate_brings_an_older_database_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        config = alembic_config(connection)
        scripts = ScriptDirectory.from_config(config)
        head = scripts.get_current_head()
        ours = next(r for r in scripts.walk_revisions() if "cache keys" in (r.doc or ""))
        command.upgrade(config, str(ours.down_revision))  # the release before #11
    for key, value in worker_env(base_settings(tmp_path, DATABASE_URL=url)).items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(cli, ["migrate"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(f"(Migration {head}).")
    columns = {c["name"] for c in inspect(engine).get_columns("rendition")}
    assert "cache_keys" in columns
    engine.dispose()
