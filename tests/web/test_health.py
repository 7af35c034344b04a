"""/healthz, /readyz and /metrics with real parts: a dropped PostgreSQL database, a Redis that
is stopped, a media folder that cannot be written, a real render counted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from audionews import create_app
from audionews.cache.usage import forget
from audionews.db import db
from audionews.models import Rendition
from tests.conftest import base_settings, make_token, worker_env
from tests.helpers import SHORT_ARTICLE, wait_status
from tests.services import PrivateRedis
from workers.embedded import start_embedded


def samples(app: Flask, **environ: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Return every sample of /metrics, parsed by prometheus_client: (name, labels) -> value."""
    response = app.test_client().get("/metrics", **environ)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_healthz_answers_without_asking_anyone(sqlite_app: Flask) -> None:
    response = sqlite_app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_on_both_databases(app: Flask) -> None:
    response = app.test_client().get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["ready"] is True and set(body["checks"]) == {"database", "broker", "media"}


def test_readyz_names_a_database_that_is_gone(
    tmp_path: Path, postgres_url: str, postgres_admin_url: str
) -> None:
    app = create_app(base_settings(tmp_path, DATABASE_URL=postgres_url))
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    name = make_url(postgres_url).database
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["missing"] == ["database"]
    assert body["message"].startswith("Nicht bereit: Die Datenbank ist nicht erreichbar")
    assert body["checks"]["media"]["ok"] and body["checks"]["broker"]["ok"]
    assert response.headers["Retry-After"]
    assert client.get("/healthz").status_code == 200  # alive, only not ready
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_readyz_names_a_stopped_broker_and_recovers(
    tmp_path: Path, own_redis: PrivateRedis
) -> None:
    app = create_app(base_settings(tmp_path, BROKER_URL=own_redis.url))
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    own_redis.kill()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["missing"] == ["broker"]
    assert "Der Broker (Redis) ist nicht erreichbar" in body["message"]
    # /metrics still answers (the Redis-kept counters and gauges are left out), never a 500.
    assert client.get("/metrics").status_code == 200
    own_redis.start()
    assert client.get("/readyz").status_code == 200


def test_readyz_names_a_media_folder_that_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    app = create_app(base_settings(tmp_path, MEDIA_DIR=str(blocker / "media")))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["missing"] == ["media"]
    assert "Der Medienordner" in body["message"] and "nicht beschreibbar" in body["message"]


def test_readyz_checks_the_embedded_queue_folder(tmp_path: Path) -> None:
    app = create_app(base_settings(tmp_path))
    (tmp_path / "queue" / "messages").rmdir()
    (tmp_path / "queue" / "messages").write_text("a file in the way")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["missing"] == ["broker"]


def test_metrics_count_a_real_render(sqlite_app: Flask) -> None:
    client = sqlite_app.test_client()
    auth = {"Authorization": f"Bearer {make_token(sqlite_app)}"}
    before = samples(sqlite_app)
    assert ("audionews_renders_total", (("outcome", "ready"),)) not in before
    worker = start_embedded(sqlite_app)
    try:
        slug = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth).get_json()["slug"]
        assert wait_status(client, slug, {"ready", "failed"})["status"] == "ready"
        changed = SHORT_ARTICLE | {"body": "Ein neuer Hauptartikel. Im Herbst ist es kühl."}
        client.post("/api/v1/articles", json=changed, headers=auth)
        assert wait_status(client, slug, {"ready", "failed"})["revision"] == 2
    finally:
        worker.stop()
    with sqlite_app.app_context():
        renditions = db.session.query(Rendition).order_by(Rendition.id).all()
        synthesized = sum(r.synthesized for r in renditions)
        cached = sum(r.cached for r in renditions)
    assert len(renditions) == 2 and cached > 0  # the second render reused segments

    forget(sqlite_app.extensions["storage"])  # the cache size is measured once a minute
    found = samples(sqlite_app)
    assert found[("audionews_renders_total", (("outcome", "ready"),))] == 2
    assert found[("audionews_render_seconds_count", (("result", "ok"),))] == 2
    assert found[("audionews_render_seconds_sum", (("result", "ok"),))] > 0
    assert found[("audionews_render_seconds_bucket", (("le", "+Inf"), ("result", "ok")))] == 2
    segments = (("engine", "espeak"), ("source", "synthesized"))
    assert found[("audionews_segments_total", segments)] == synthesized
    assert found[("audionews_segments_total", (("engine", "espeak"), ("source", "cached")))] == (
        cached
    )
    assert found[("audionews_queue_depth", ())] == 0
    assert found[("audionews_engine_breaker_open", (("engine", "espeak"),))] == 0
    media = Path(sqlite_app.config["AUDIONEWS"]["MEDIA_DIR"])
    on_disk = sum(p.stat().st_size for p in media.rglob("*") if p.is_file())
    measured = sum(
        value for (name, _labels), value in found.items() if name == "audionews_cache_bytes"
    )
    assert found[("audionews_cache_bytes", (("kind", "segments"),))] > 0
    assert measured == on_disk


def test_metrics_of_another_process_are_seen_in_embedded_mode(tmp_path: Path) -> None:
    """`audionews import --wait` renders in its own process; `serve` shows its counts."""
    settings = base_settings(tmp_path)
    env = worker_env(settings)
    (tmp_path / "a.txt").write_text(
        "Kurzmeldung\n**In Kürze:**\nDie Bahn streikt.\n**Hauptartikel:**\nAm Montag.\n",
        "utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "audionews", "import", "a.txt", "--wait"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    app = create_app(settings)
    assert samples(app)[("audionews_renders_total", (("outcome", "ready"),))] == 1


def test_who_may_read_the_metrics(tmp_path: Path) -> None:
    app = create_app(base_settings(tmp_path))
    client = app.test_client()
    outside = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
    refused = client.get("/metrics", **outside)
    assert refused.status_code == 403
    assert "AUDIONEWS_METRICS_TOKEN" in refused.get_data(as_text=True)
    # Through a proxy on this machine: the loopback address alone does not make it local.
    for header in ("X-Forwarded-For", "X-Forwarded-Proto"):  # nginx of docs/deploy.md sets these
        proxied = client.get("/metrics", headers={header: "203.0.113.9"})
        assert proxied.status_code == 403, header
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200

    app = create_app(base_settings(tmp_path, METRICS_TOKEN="geheim-123"))
    client = app.test_client()
    assert client.get("/metrics", **outside).status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer falsch"}, **outside)
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    right = client.get("/metrics", headers={"Authorization": "Bearer geheim-123"}, **outside)
    assert right.status_code == 200 and b"audionews_queue_depth" in right.data


def test_metrics_survive_a_database_outage(tmp_path: Path) -> None:
    app = create_app(base_settings(tmp_path))
    with app.app_context():
        db.engine.dispose()
    for leftover in tmp_path.glob("test.db*"):
        leftover.unlink()
    (tmp_path / "test.db").mkdir()  # a folder where the database file was: SQLite cannot open
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert b"audionews_renders_total" in response.data
    assert b"audionews_queue_depth" not in response.data  # left out, no 500
    assert app.test_client().get("/readyz").get_json()["missing"] == ["database"]
