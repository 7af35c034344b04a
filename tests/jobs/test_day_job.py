"""The day job: marks counted with the change that caused them, queued after the commit, coalesced.

The products are replaced by a recorder here (the briefing itself: tests/render/test_briefing.py
and tests/jobs/test_briefing_job.py); renders, publishing, deletion and the API are real.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from audionews import catalog
from audionews.articles import parse_json
from audionews.days import news_day
from audionews.db import db
from audionews.jobs import day_job, render_job
from audionews.models import Article, NewsDay, utcnow
from tests.conftest import make_token
from tests.helpers import SHORT_ARTICLE
from tests.web.editor.conftest import login, make_editor
from tests.web.editor.helpers_editor import run_queued


class Queue:
    """Stands in for the broker: records the day messages and delivers them like a worker."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.sent: list[dt.date] = []
        self.builds: list[dt.date] = []

    def send(self, day: dt.date) -> bool:
        self.sent.append(day)
        return True

    def product(self, day: dt.date) -> str:
        self.builds.append(day)
        return "built"

    def deliver(self) -> list[str]:
        """Run build_day for every message sent so far, in order; return the outcomes."""
        outcomes = []
        while self.sent:
            day = self.sent.pop(0)
            with self.app.app_context():
                outcomes.append(day_job.build_day(day))
        return outcomes


@pytest.fixture
def queue(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Queue]:
    recorder = Queue(app)
    monkeypatch.setattr(day_job, "send_day", recorder.send)
    monkeypatch.setattr(day_job, "products", lambda: [("recorder", recorder.product)])
    yield recorder


def state(app: Flask, day: dt.date) -> NewsDay | None:
    with app.app_context():
        row = db.session.get(NewsDay, day)
        if row is not None:
            db.session.expunge(row)
        return row


def save(app: Flask, title: str, **extra: Any) -> Article:
    with app.test_request_context():
        result = catalog.save(parse_json(SHORT_ARTICLE | {"title": title} | extra))
        db.session.expunge(result.article)
        return result.article


def day_of(app: Flask, article: Article) -> dt.date:
    assert article.published_at is not None
    return news_day(article.published_at, app.config["AUDIONEWS"])


def test_a_mark_is_sent_after_the_commit_and_forgotten_with_a_rollback(
    app: Flask, queue: Queue
) -> None:
    day = dt.date(2025, 12, 1)
    with app.app_context():
        day_job.mark(day)
        day_job.mark(day)
        assert queue.sent == []  # nothing before the commit: a worker would find no change
        db.session.commit()
        assert queue.sent == [day]  # one message per transaction and day
        day_job.mark(day)
        db.session.rollback()
    assert queue.sent == [day]
    row = state(app, day)
    assert row is not None and row.changed == 2 and row.built == 0


def test_build_day_builds_once_per_change_and_then_finds_the_day_clean(
    app: Flask, queue: Queue
) -> None:
    day = dt.date(2025, 12, 1)
    with app.app_context():
        assert day_job.build_day(day) == day_job.CLEAN  # never marked
        day_job.mark(day)
        db.session.commit()
    assert queue.deliver() == [day_job.BUILT]
    assert queue.builds == [day]
    with app.app_context():
        assert day_job.build_day(day) == day_job.CLEAN
    row = state(app, day)
    assert row is not None and row.built == row.changed == 1
    assert row.building_since is None and row.built_at is not None and row.error == ""


def test_twenty_articles_imported_at_once_build_the_day_once(app: Flask, queue: Queue) -> None:
    articles = [save(app, f"Meldung Nummer {n}", summary="Kurz.", body="") for n in range(20)]
    day = day_of(app, articles[0])
    assert {day_of(app, a) for a in articles} == {day}
    # A worker takes the messages in order: each render, then the day messages it caused.
    outcomes: list[str] = []
    with app.test_request_context():
        for article in articles:
            job = db.session.get(Article, article.id).latest_job()  # type: ignore[union-attr]
            assert render_job.run_render(article.id, 1, job.id) == "ready"
            outcomes += queue.deliver()
    assert outcomes == [day_job.WAITING] * 19 + [day_job.BUILT]
    assert queue.builds == [day]


def test_a_failed_render_ends_the_wait(app: Flask, queue: Queue) -> None:
    first = save(app, "Erste Meldung")
    second = save(app, "Zweite Meldung")
    run_queued_one(app, first)
    assert queue.deliver() == [day_job.WAITING]
    app.config["AUDIONEWS"].update(TTS_ENGINE="gtts", TTS_FALLBACK="", TTS_RETRIES=1)
    assert run_queued_one(app, second) == "failed"
    assert queue.deliver() == [day_job.BUILT]


def run_queued_one(app: Flask, article: Article) -> str:
    with app.test_request_context():
        job = db.session.get(Article, article.id).latest_job()  # type: ignore[union-attr]
        return render_job.run_render(article.id, job.revision, job.id)


def test_a_taken_lease_is_respected_until_it_goes_stale(app: Flask, queue: Queue) -> None:
    day = dt.date(2025, 12, 2)
    with app.app_context():
        day_job.mark(day)
        db.session.commit()
        db.session.execute(update(NewsDay).values(building_since=utcnow()))
        db.session.commit()
        assert day_job.build_day(day) == day_job.BUSY
        stale = utcnow() - timedelta(seconds=app.config["AUDIONEWS"]["JOB_STALE_SECONDS"] + 1)
        db.session.execute(update(NewsDay).values(building_since=stale))
        db.session.commit()
        assert day_job.build_day(day) == day_job.BUILT
    assert queue.builds == [day]


def test_a_mark_during_a_build_gets_a_second_build(
    app: Flask, queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = dt.date(2025, 12, 3)
    marked_during: list[bool] = []

    def product(built_day: dt.date) -> str:
        queue.builds.append(built_day)
        if not marked_during:  # an editor publishes while the first build runs
            marked_during.append(True)
            day_job.mark(built_day)
            db.session.commit()
            # That message arrives now and finds the lease taken.
            assert queue.sent.pop() == built_day
            assert day_job.build_day(built_day) == day_job.BUSY
        return "built"

    monkeypatch.setattr(day_job, "products", lambda: [("recorder", product)])
    with app.app_context():
        day_job.mark(day)
        db.session.commit()
    # The first build sends the day again itself.
    assert queue.deliver() == [day_job.BUILT, day_job.BUILT]
    assert queue.builds == [day, day]
    row = state(app, day)
    assert row is not None and row.built == row.changed == 2


def test_a_failing_product_keeps_the_day_dirty_and_the_others_are_built(
    app: Flask, queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = dt.date(2025, 12, 4)

    def broken(_: dt.date) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(
        day_job, "products", lambda: [("kaputt", broken), ("recorder", queue.product)]
    )
    with app.app_context():
        day_job.mark(day)
        db.session.commit()
    assert queue.deliver() == [day_job.FAILED]
    assert queue.builds == [day]
    row = state(app, day)
    assert row is not None and row.built == 0 and row.building_since is None
    # A full disk is named in German: the day is tried again once there is room.
    assert "kaputt" in row.error and "Kein freier Speicherplatz für Audiodateien" in row.error


def test_a_mark_during_a_failing_build_still_gets_a_second_build(
    app: Flask, queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A withdrawal that arrives while a product fails must not wait for the sweeper."""
    day = dt.date(2025, 12, 8)
    calls: list[int] = []

    def flaky(built_day: dt.date) -> str:
        calls.append(1)
        if len(calls) == 1:
            day_job.mark(built_day)  # an editor withdraws an article during the first build
            db.session.commit()
            assert queue.sent.pop() == built_day
            assert day_job.build_day(built_day) == day_job.BUSY  # that message is spent
            raise OSError(28, "No space left on device")
        return "built"

    monkeypatch.setattr(day_job, "products", lambda: [("flaky", flaky)])
    with app.app_context():
        day_job.mark(day)
        db.session.commit()
    assert queue.deliver() == [day_job.FAILED, day_job.BUILT]
    row = state(app, day)
    assert row is not None and row.built == row.changed == 2 and row.error == ""


def test_the_sweeper_finds_days_whose_message_was_lost(app: Flask, queue: Queue) -> None:
    lost, fresh, failed = dt.date(2025, 12, 5), dt.date(2025, 12, 6), dt.date(2025, 12, 7)
    long_ago = utcnow() - timedelta(hours=2)
    with app.app_context():
        for day in (lost, fresh, failed):
            day_job.mark(day)
        db.session.commit()
        queue.sent.clear()  # the broker lost them
        db.session.execute(update(NewsDay).where(NewsDay.day != fresh).values(changed_at=long_ago))
        # A build of `failed` was just tried: the next try waits for the stale limit.
        db.session.execute(
            update(NewsDay).where(NewsDay.day == failed).values(attempted_at=utcnow())
        )
        db.session.commit()
        assert day_job.sweep() == [lost]
    assert queue.sent == [lost]
    assert queue.deliver() == [day_job.BUILT]
    with app.app_context():
        assert day_job.sweep() == []


def test_publishing_withdrawing_and_deleting_in_the_back_office_mark_the_day(
    sqlite_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Queue(sqlite_app)
    monkeypatch.setattr(day_job, "send_day", recorder.send)
    make_editor(sqlite_app)
    client: FlaskClient = sqlite_app.test_client()
    csrf = login(client)
    form = {**SHORT_ARTICLE, "links": "", "csrf_token": csrf}
    assert client.post("/redaktion/neuer-artikel", data=form).status_code == 302
    run_queued(sqlite_app)
    assert recorder.sent == []  # not public yet: no day
    slug = "kurzmeldung-testlauf"
    path = f"/redaktion/artikel/{slug}"
    client.post(f"{path}/veroeffentlichen", data={"published": "1", "csrf_token": csrf})
    with sqlite_app.app_context():
        row = db.session.scalar(select(Article).where(Article.slug == slug))
        assert row is not None
        day = day_of(sqlite_app, row)
    assert recorder.sent == [day]
    client.post(f"{path}/veroeffentlichen", data={"published": "0", "csrf_token": csrf})
    assert recorder.sent == [day, day]
    # A withdrawn article was public once: deleting it changes nothing public, marking is cheap.
    assert client.post(f"{path}/loeschen", data={"csrf_token": csrf}).status_code == 302
    assert recorder.sent == [day, day, day]
    changed = state(sqlite_app, day)
    assert changed is not None and changed.changed == 3


def test_the_api_published_flag_and_a_finished_render_mark_the_day(
    app: Flask, queue: Queue
) -> None:
    client = app.test_client()
    auth = {"Authorization": f"Bearer {make_token(app)}"}
    res = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth)
    assert res.status_code == 201 and queue.sent == []
    run_queued(app)
    with app.app_context():
        row = db.session.scalar(select(Article))
        assert row is not None
        day = day_of(app, row)
    assert queue.sent == [day]  # the render ended
    withdrawn = client.post(
        "/api/v1/articles", json=SHORT_ARTICLE | {"published": False}, headers=auth
    )
    assert withdrawn.status_code == 200 and queue.sent == [day, day]
    unchanged = client.post(
        "/api/v1/articles", json=SHORT_ARTICLE | {"published": False}, headers=auth
    )
    assert unchanged.status_code == 200 and queue.sent == [day, day]
