"""queue: submit-to-ready time of the seed article through the API and a real queue.

Measured: `POST /api/v1/articles` (Bearer token) until `GET /api/v1/articles/<slug>`, polled every
20 ms, says "ready"; espeak engine, no fallback. Two modes: a real Redis with a real
`audionews worker` process (on a private redis-server the benchmark starts
and stops), and the embedded worker (`workers.embedded.start_embedded`, filesystem:// queue). Every
timed run gets fresh temporary dirs (database, media, empty segment cache) and a fresh worker,
which renders one short warm-up article first; the segment cache is emptied after it.
Baseline (the floor): the same spoken text in ONE espeak call plus ONE MP3 encode.
Goal: median submit-to-ready <= 1.5 x the floor. Median of 3 runs each.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from audionews import create_app
from audionews.audio.encode import Mp3Encoder
from audionews.audio.loudness import normalize
from audionews.db import db
from audionews.models import ApiToken
from audionews.tts import create
from tests.services import PrivateRedis

from . import Row, fmt, median, say, settings, timed
from .article import sample

NAME = "queue"
REPEATS = 3
POLL = 0.020
TIMEOUT = 180.0
GOAL = 1.5
# Two warm-up articles. For the worker process they are sent together, so both prefork children
# (concurrency 2) have rendered once. For the embedded worker they go one after the other: its
# threads share everything worth warming, and after two jobs at once it stalls the next job by
# ~1.5 s (seen while writing this benchmark; not a steady-state cost of one submission).
WARM_UPS = [
    {
        "title": f"Aufwärmen des Workers {number}",
        "summary": f"Ein kurzer Text vor der Messung, Nummer {number}.",
        "body": "Er lädt die Sprachausgabe. Danach beginnt die Messung.",
        "links": [],
    }
    for number in (1, 2)
]


def _payload() -> dict[str, Any]:
    article = sample()
    return {"title": article.title, "summary": article.summary, "body": article.body, "links": []}


def _app_settings(tmp: Path, **extra: Any) -> dict[str, Any]:
    if "QUEUE_DIR" in settings():
        # The embedded broker may keep its queue in files: give every run its own.
        extra.setdefault("QUEUE_DIR", str(tmp / "queue"))
    return settings(
        DATABASE_URL=f"sqlite:///{tmp / 'bench.db'}",
        MEDIA_DIR=str(tmp / "media"),
        SECRET_KEY="bench",
        TTS_ENGINE="espeak",
        TTS_FALLBACK="",
        SWEEP_SECONDS=3600.0,
        **extra,
    )


def _token(app: Flask) -> dict[str, str]:
    with app.app_context():
        row, clear = ApiToken.issue("bench")
        db.session.add(row)
        db.session.commit()
    return {"Authorization": f"Bearer {clear}"}


def submit(client: FlaskClient, auth: dict[str, str], payload: dict[str, Any]) -> str:
    res = client.post("/api/v1/articles", json=payload, headers=auth)
    if res.status_code != 201:
        raise RuntimeError(f"submit answered {res.status_code}: {res.get_data(as_text=True)}")
    return str(res.get_json()["slug"])


def submit_and_wait(client: FlaskClient, auth: dict[str, str], payload: dict[str, Any]) -> float:
    """Return the seconds from the POST until the article's status is ready."""
    start = time.perf_counter()
    slug = submit(client, auth, payload)
    return wait_ready(client, slug, start)


def warm_up(client: FlaskClient, auth: dict[str, str], *, together: bool) -> float:
    start = time.perf_counter()
    if together:
        slugs = [submit(client, auth, payload) for payload in WARM_UPS]
        for slug in slugs:
            wait_ready(client, slug, start)
    else:
        for payload in WARM_UPS:
            submit_and_wait(client, auth, payload)
    return time.perf_counter() - start


def wait_ready(client: FlaskClient, slug: str, start: float) -> float:
    """Poll every POLL seconds until `slug` is ready; return the seconds since `start`."""
    while True:
        body = client.get(f"/api/v1/articles/{slug}").get_json()
        elapsed = time.perf_counter() - start
        if body["status"] == "ready":
            return elapsed
        if body["status"] == "failed":
            raise RuntimeError(f"render failed: {body['error']}")
        if elapsed > TIMEOUT:
            raise RuntimeError(f"not ready after {TIMEOUT:.0f} s: {body}")
        time.sleep(POLL)


def _empty_cache(app: Flask) -> None:
    shutil.rmtree(Path(app.config["AUDIONEWS"]["MEDIA_DIR"]) / "segments", ignore_errors=True)


def _close(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# Floor ----------------------------------------------------------------------------------


def floor(text: str, tmp: Path, *, loudness: bool) -> list[float]:
    """Time one espeak call plus one MP3 encode (and, with `loudness`, one loudness pass).

    The published MP3s meet the podcast loudness standard (issue 6), so the least work that
    makes the same product includes one loudness pass over the whole audio.
    """
    engine = create("espeak", settings())
    engine.synthesize("Aufwärmen.")  # load the library outside the timing

    def once() -> None:
        clip = engine.synthesize(text)
        pcm = normalize(clip.pcm, clip.rate) if loudness else clip.pcm
        with Mp3Encoder(tmp / "floor.mp3", rate=clip.rate) as encoder:
            encoder.write(pcm)

    return [timed(once)[0] for _ in range(REPEATS)]


# Embedded -------------------------------------------------------------------------------


def embedded_run(payload: dict[str, Any]) -> float:
    from workers.embedded import start_embedded

    with tempfile.TemporaryDirectory(prefix="bench-embedded-") as tmp:
        app = create_app(_app_settings(Path(tmp), BROKER_URL=""))
        auth = _token(app)
        client = app.test_client()
        worker = start_embedded(app)
        try:
            warm_up(client, auth, together=False)
            _empty_cache(app)
            return submit_and_wait(client, auth, payload)
        finally:
            worker.stop()
            _close(app)


# Redis + worker process -----------------------------------------------------------------


@contextlib.contextmanager
def redis_server() -> Iterator[tuple[str, str]]:
    """Yield (url, description) of a private Redis for the benchmark, stopped afterwards.

    Never a Redis someone else runs: a benchmark must not flush or load a user's server.
    """
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as workdir:
        server = PrivateRedis(Path(workdir)).start()
        try:
            yield server.url, f"private redis-server on port {server.port}"
        finally:
            server.stop()


class Worker:
    """A real `audionews worker` process (as tests/conftest.py's WorkerProcess)."""

    def __init__(self, app_settings: dict[str, Any], cwd: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUDIONEWS_")}
        env.update({f"AUDIONEWS_{k}": str(v) for k, v in app_settings.items()})
        self.log_path = cwd / "worker.log"
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "audionews", "worker", "--concurrency", "2", "-l", "WARNING"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=str(cwd),
        )

    def wait_ready(self, app: Flask, timeout: float = 60) -> float:
        start = time.monotonic()
        celery = app.extensions["celery"]
        while time.monotonic() - start < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError("worker died:\n" + self.log_path.read_text(errors="replace"))
            if celery.control.ping(timeout=0.5):
                return time.monotonic() - start
        raise RuntimeError("worker not ready:\n" + self.log_path.read_text(errors="replace"))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


def redis_run(payload: dict[str, Any], url: str) -> float:
    import redis

    redis.Redis.from_url(url).flushdb()
    with tempfile.TemporaryDirectory(prefix="bench-redis-run-") as tmp:
        app_settings = _app_settings(Path(tmp), BROKER_URL=url)
        app = create_app(app_settings)
        auth = _token(app)
        client = app.test_client()
        worker = Worker(app_settings, Path(tmp))
        try:
            startup = worker.wait_ready(app)
            warm = warm_up(client, auth, together=True)
            _empty_cache(app)
            seconds = submit_and_wait(client, auth, payload)
            say(
                f"    worker ready in {startup:.1f} s, warm-up {warm:.2f} s, "
                f"seed article {seconds:.3f} s"
            )
            return seconds
        finally:
            worker.stop()
            app.extensions["celery"].close()
            _close(app)


def render_alone(tmp: Path) -> list[float]:
    """Return the times of Renderer.render of the seed article in this process, empty cache."""
    from audionews.render.renderer import Renderer
    from audionews.render.storage import Storage
    from audionews.tts import EngineChain

    engine = create("espeak", settings())
    item = sample().render_input("seed")
    values = []
    for number in range(REPEATS):
        renderer = Renderer(Storage(tmp / f"render-{number}"), EngineChain(engine, None, 300))
        values.append(timed(partial(renderer.render, item))[0])
    return values


def _mode(label: str, runs: Callable[[], float]) -> list[float]:
    values = []
    for number in range(REPEATS):
        values.append(runs())
        say(f"  {label} run {number + 1}: {fmt(values[-1], 's')}")
    return values


def run() -> list[Row]:
    payload = _payload()
    text = sample().spoken()
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        plain = floor(text, Path(tmp), loudness=False)
        floors = floor(text, Path(tmp), loudness=True)
        renders = render_alone(Path(tmp))
    base = median(floors)
    say(
        f"  floor (one espeak call + one loudness pass + one MP3 encode, {len(text)} characters):"
        f" {', '.join(fmt(v, 's') for v in floors)}; without the loudness pass: "
        f"{', '.join(fmt(v, 's') for v in plain)}"
    )
    say(f"  Renderer.render alone, in this process: {', '.join(fmt(v, 's') for v in renders)}")
    goal = f"ratio <= {GOAL:g}"
    rows: list[Row] = []
    try:
        with redis_server() as (url, what):
            say(f"  {what}")
            values = _mode("redis+worker", lambda: redis_run(payload, url))
            rows.append(
                Row(
                    NAME,
                    "API submit->ready, Redis + worker",
                    median(values),
                    base,
                    "s",
                    limit=GOAL,
                    goal=goal,
                    notes={"runs": values, "floor_runs": floors, "redis": what},
                )
            )
    except Exception as exc:  # report embedded mode even when Redis is not usable here
        say(f"  Redis mode skipped: {type(exc).__name__}: {exc}")
    values = _mode("embedded", lambda: embedded_run(payload))
    rows.append(
        Row(
            NAME,
            "API submit->ready, embedded worker",
            median(values),
            base,
            "s",
            limit=GOAL,
            goal=goal,
            notes={"runs": values, "floor_runs": floors},
        )
    )
    rows.append(
        Row(
            NAME,
            "  the same vs the floor without a loudness pass",
            median(values),
            median(plain),
            "s",
            goal="info",
        )
    )
    rows.append(
        Row(
            NAME,
            "  Renderer.render alone, no queue",
            median(renders),
            base,
            "s",
            goal="info",
            notes={"runs": renders},
        )
    )
    return rows
