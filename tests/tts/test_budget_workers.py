"""One gTTS budget for a deployment, proven from outside: three `audionews worker` processes,
a private Redis, and a fake Google over HTTP (batchexecute format, real MP3 bytes, 150 ms per
request) that counts the requests in flight and answers a burst of 429 with Retry-After.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from audionews import create_app
from audionews.db import db
from audionews.models import Briefing, Job, JobStatus, Rendition
from audionews.speech import build_script
from bench.fake_google import FakeGoogle
from tests.conftest import WorkerProcess, base_settings, make_token
from tests.helpers import wait_days_built
from tests.services import PrivateRedis

pytestmark = pytest.mark.slow

LIMIT = 3
WORKERS = 3
ARTICLES = 20
RETRY_AFTER = 2
PLACES = ["Aachen", "Bremen", "Cottbus", "Dresden", "Erfurt", "Fulda", "Gera", "Halle"]


def articles() -> list[dict[str, Any]]:
    """Twenty distinct short articles (about seven segments each)."""
    found = []
    for number in range(ARTICLES):
        place = PLACES[number % len(PLACES)]
        found.append(
            {
                "title": f"Meldung {number + 1} aus {place}",
                "summary": f"In {place} tagt der Rat zum {number + 1}. Mal. Es geht um Geld.",
                "body": (
                    f"Der Rat von {place} berät über {number + 3} Anträge. "
                    f"Die Sitzung beginnt um {8 + number % 9} Uhr.\n\n"
                    f"Am Ende stimmen {number + 11} Mitglieder ab. Das Ergebnis folgt."
                ),
                "links": [],
            }
        )
    return found


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[dict[str, Any]]:
    redis_server = PrivateRedis(tmp_path / "redis").start()
    fake = FakeGoogle(delay=0.150).start()
    texts = [
        seg.spoken
        for item in articles()
        for seg in build_script(item["title"], item["summary"], item["body"])
    ]
    fake.prime(texts)  # every measured request costs the 150 ms and nothing else
    settings = base_settings(
        tmp_path,
        BROKER_URL=redis_server.url,
        TTS_ENGINE="gtts",
        TTS_FALLBACK="espeak",
        GTTS_URL=fake.url,
        GTTS_MAX_CONCURRENT=LIMIT,
        GTTS_RATE=0,
        TTS_TIMEOUT=10,
    )
    app = create_app(settings)
    workers = [WorkerProcess(settings, tmp_path / f"worker-{n}.log") for n in range(WORKERS)]
    try:
        for worker in workers:
            worker.wait_ready(app.extensions["celery"])
        yield {"app": app, "fake": fake, "workers": workers, "texts": set(texts)}
    finally:
        for worker in workers:
            worker.stop()
        fake.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        redis_server.stop()


def wait_all_ready(app: Flask, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            ready = db.session.scalar(
                select(func.count()).select_from(Job).where(Job.status == JobStatus.READY)
            )
            if ready == ARTICLES:
                return
        time.sleep(0.2)
    raise AssertionError(f"only {ready} of {ARTICLES} renders ready")


def metrics_of(app: Flask) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = app.test_client().get("/metrics").get_data(as_text=True)
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_three_workers_share_one_limit_and_one_pause(deployment: dict[str, Any]) -> None:
    app: Flask = deployment["app"]
    fake: FakeGoogle = deployment["fake"]
    client = app.test_client()
    auth = {"Authorization": f"Bearer {make_token(app)}"}
    for item in articles():
        assert client.post("/api/v1/articles", json=item, headers=auth).status_code == 201

    # A third of the way in, Google refuses two requests, asking for a pause: the first 429
    # reaches one thread of one worker; every other thread of every worker must pause too.
    while len(fake.log) < len(deployment["texts"]) // 3:
        time.sleep(0.01)
    fake.fail_next(2, RETRY_AFTER)
    wait_all_ready(app)
    wait_days_built(app)  # the day's briefing speaks its opening through the same budget

    # Never more requests in flight than the one limit of the deployment, and it was reached.
    assert fake.max_in_flight == LIMIT, fake.max_in_flight
    # Every worker process rendered, so the limit was shared, not per process.
    for worker in deployment["workers"]:
        log = worker.log_path.read_text(errors="replace")
        assert "succeeded" in log, log[-2000:]

    # After the first 429, no worker sent anything until its Retry-After was over.
    refused = [s for s in fake.log if s.status == 429]
    assert refused, "the burst was never hit"
    first = min(s.answered for s in refused)
    during = [s for s in fake.log if first + 0.25 < s.arrived < first + RETRY_AFTER - 0.1]
    assert during == [], f"{len(during)} requests arrived during the pause"
    assert any(s.arrived >= first + RETRY_AFTER - 0.1 and s.status == 200 for s in fake.log)

    with app.app_context():
        renditions = db.session.scalars(select(Rendition)).all()
        briefings = db.session.scalars(select(Briefing)).all()
    assert len(renditions) == ARTICLES
    assert {r.engine for r in renditions} == {"gtts"}  # waited out, never fell back
    # Every sentence of the articles, and besides them what the day's products spoke (the
    # briefing's opening and closing, the DAISY edition's title), through the same budget.
    extra = set(fake.requests) - deployment["texts"]
    assert deployment["texts"] <= set(fake.requests)
    assert len(briefings) == 1 and briefings[0].synthesized <= len(extra) <= 4, extra

    found = metrics_of(app)
    served = [s for s in fake.log if s.status == 200]
    counted = found[("audionews_gtts_responses_total", (("status", "200"),))]
    # A request the fake answered after its client had given up (a worker starved past
    # TTS_TIMEOUT on a loaded machine) counts as "error" in the worker, and is sent again.
    gave_up = found.get(("audionews_gtts_responses_total", (("status", "error"),)), 0)
    notes = [
        line
        for worker in deployment["workers"]
        for line in worker.log_path.read_text(errors="replace").splitlines()
        if "metrics not stored" in line or "attempt" in line
    ]
    assert counted <= len(served) <= counted + gave_up, notes
    assert found[("audionews_gtts_responses_total", (("status", "429"),))] == len(refused)
    assert found[("audionews_gtts_pauses_total", ())] == len(refused)
    assert found[("audionews_renders_total", (("outcome", "ready"),))] == ARTICLES
    assert found[("audionews_gtts_max_concurrent", ())] == LIMIT
    # Every slot comes back: at once, or (an answer from Redis lost on a starved machine) when
    # its lease runs out, 2 x TTS_TIMEOUT + 5 s.
    deadline = time.monotonic() + 30
    while metrics_of(app)[("audionews_gtts_in_flight", ())] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert metrics_of(app)[("audionews_gtts_in_flight", ())] == 0
    synthesized = sum(r.synthesized for r in renditions)  # (renders' segments, not the day's)
    assert found[("audionews_segments_total", (("engine", "gtts"), ("source", "synthesized")))] == (
        synthesized
    )
