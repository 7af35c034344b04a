"""workers: throughput of 1, 2 and 4 `audionews worker` processes at one global gTTS limit.

Each run: a private Redis, a fresh SQLite database and media folder, N real worker processes
(`--concurrency 1`), the fake Google (150 ms per request, primed), and one budget for the whole
deployment: GTTS_MAX_CONCURRENT=LIMIT and GTTS_RATE=RATE. ARTICLES distinct short articles are
posted at once; measured is the time until all are ready, as articles per minute. Baseline:
what the limit allows, min(LIMIT / 150 ms, RATE) requests per second divided by the requests
one article needs. The ratio is the share of the budget the deployment used: it must never be
above 1, whatever the number of workers. The fake Google counts, from outside the workers, the
most requests in flight and the most requests that arrived in any five seconds (per second: a
window of one second would count the jitter of two arrivals, not the budget; one start more at
the window's edge is 0.2/s): both rows say how close they came to the limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from audionews import create_app
from audionews.db import db
from audionews.models import ApiToken, Job, JobStatus
from audionews.speech import build_script
from tests.services import PrivateRedis

from . import FAKE_CACHE, Row, say, settings
from .fake_google import FakeGoogle

NAME = "workers"
LIMIT = 3
RATE = 6.0  # requests per second for the whole deployment: below LIMIT / DELAY, so it binds
DELAY = 0.150
WINDOW = 5.0  # seconds, for the peak rate
ARTICLES = 24
WORKER_COUNTS = (1, 2, 4)
PLACES = ["Aachen", "Bremen", "Cottbus", "Dresden", "Erfurt", "Fulda", "Gera", "Halle"]


def articles(run: int) -> list[dict[str, Any]]:
    """Distinct short articles (about eight segments each), different in every run."""
    found = []
    for number in range(ARTICLES):
        place = PLACES[number % len(PLACES)]
        tag = f"{run}-{number + 1}"
        found.append(
            {
                "title": f"Meldung {tag} aus {place}",
                "summary": f"In {place} tagt der Rat zum {number + 1}. Mal. Es geht um Lauf {run}.",
                "body": (
                    f"Der Rat von {place} berät über {number + 3} Anträge im Lauf {run}. "
                    f"Die Sitzung beginnt um {8 + number % 9} Uhr.\n\n"
                    f"Am Ende stimmen {number + 11} Mitglieder ab. Das Ergebnis folgt bald.\n\n"
                    f"Die nächste Sitzung ist in {number + 2} Wochen."
                ),
                "links": [],
            }
        )
    return found


def spoken_texts(items: list[dict[str, Any]]) -> list[str]:
    return [
        seg.spoken
        for item in items
        for seg in build_script(item["title"], item["summary"], item["body"])
    ]


class Worker:
    """One `audionews worker --concurrency 1` process."""

    def __init__(self, app_settings: dict[str, Any], log_path: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUDIONEWS_")}
        env.update({f"AUDIONEWS_{k}": str(v) for k, v in app_settings.items()})
        self.log_path = log_path
        self.log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "audionews", "worker", "--concurrency", "1", "-l", "WARNING"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=str(log_path.parent),
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


def wait_workers(app: Flask, count: int, workers: list[Worker], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    celery = app.extensions["celery"]
    while time.monotonic() < deadline:
        for worker in workers:
            if worker.proc.poll() is not None:
                raise RuntimeError(worker.log_path.read_text(errors="replace"))
        if len(celery.control.ping(timeout=1.0)) >= count:
            return
    raise RuntimeError("workers not ready")


def wait_done(app: Flask, timeout: float = 900) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            counts = dict(
                db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
            )
        if sum(counts.get(s, 0) for s in (JobStatus.READY, JobStatus.FAILED)) >= ARTICLES:
            return int(counts.get(JobStatus.FAILED, 0))
        time.sleep(0.1)
    raise RuntimeError(f"renders not done: {counts}")


def one_run(count: int, fake: FakeGoogle, run: int) -> dict[str, float]:
    items = articles(run)
    texts = set(spoken_texts(items))
    fake.prime(texts)
    with tempfile.TemporaryDirectory(prefix=f"bench-workers-{count}-") as folder:
        tmp = Path(folder)
        redis_server = PrivateRedis(tmp / "redis").start()
        app_settings = settings(
            DATABASE_URL=f"sqlite:///{tmp / 'bench.db'}",
            MEDIA_DIR=str(tmp / "media"),
            QUEUE_DIR=str(tmp / "queue"),
            SECRET_KEY="bench",
            BROKER_URL=redis_server.url,
            TTS_ENGINE="gtts",
            TTS_FALLBACK="espeak",
            GTTS_URL=fake.url,
            GTTS_MAX_CONCURRENT=LIMIT,
            GTTS_RATE=RATE,
            SWEEP_SECONDS=3600,
        )
        app = create_app(app_settings)
        with app.app_context():
            row, token = ApiToken.issue("bench")
            db.session.add(row)
            db.session.commit()
        workers = [Worker(app_settings, tmp / f"worker-{n}.log") for n in range(count)]
        try:
            wait_workers(app, count, workers)
            fake.reset_counts()
            client = app.test_client()
            started = time.monotonic()
            for item in items:
                answer = client.post(
                    "/api/v1/articles", json=item, headers={"Authorization": f"Bearer {token}"}
                )
                assert answer.status_code == 201, answer.get_data(as_text=True)
            failed = wait_done(app)
            seconds = time.monotonic() - started
        finally:
            for worker in workers:
                worker.stop()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            redis_server.stop()
    requests = len(fake.log)
    arrivals = sorted(served.arrived for served in fake.log)
    peak = max(
        (sum(1 for t in arrivals[i:] if t < start + WINDOW) for i, start in enumerate(arrivals)),
        default=0,
    )
    return {
        "peak_per_second": peak / WINDOW,
        "seconds": seconds,
        "requests": requests,
        "max_in_flight": fake.max_in_flight,
        "failed": failed,
        "requests_per_article": requests / ARTICLES,
    }


def run() -> list[Row]:
    rows: list[Row] = []
    with FakeGoogle(delay=DELAY, cache_dir=FAKE_CACHE) as fake:
        for run_no, count in enumerate(WORKER_COUNTS):
            result = one_run(count, fake, run_no)
            per_minute = ARTICLES / result["seconds"] * 60
            allowed = min(LIMIT / DELAY, RATE) * 60 / result["requests_per_article"]
            say(
                f"  {count} worker(s): {ARTICLES} articles in {result['seconds']:.1f} s = "
                f"{per_minute:.1f}/min; {result['requests']:.0f} requests, at most "
                f"{result['max_in_flight']:.0f} in flight (limit {LIMIT}), at most "
                f"{result['peak_per_second']:.1f}/s over {WINDOW:g} s (limit {RATE:g}); the limit "
                f"allows {allowed:.1f} articles/min; failed {result['failed']:.0f}"
            )
            rows.append(
                Row(
                    NAME,
                    f"{count} worker(s): articles/min vs what the limit allows",
                    per_minute,
                    allowed,
                    "articles/min",
                    limit=1.0,
                    goal="ratio <= 1 (the budget holds)",
                    notes=result,
                )
            )
            rows.append(
                Row(
                    NAME,
                    f"  {count} worker(s): most requests in flight vs the limit",
                    result["max_in_flight"],
                    LIMIT,
                    "requests",
                    limit=1.0,
                    goal="ratio <= 1",
                )
            )
            rows.append(
                Row(
                    NAME,
                    f"  {count} worker(s): most requests/s over {WINDOW:g} s vs GTTS_RATE",
                    result["peak_per_second"],
                    RATE,
                    "requests/s",
                    limit=1.0 + 1 / (RATE * WINDOW),
                    goal=f"ratio <= {1.0 + 1 / (RATE * WINDOW):.3f} (one start at the edge)",
                )
            )
    return rows
