"""One live job per article revision, and one rendition per render (issue 10, item 2).

On SQLite and PostgreSQL: the database refuses a second queued/rendering job of a revision;
every path that makes jobs reuses the live one; the sweeper never makes a second job for a
revision whose job finished between its queries; the status agrees with the renditions.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import create_engine, event, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from audionews import catalog
from audionews.articles import parse_json
from audionews.db import db
from audionews.jobs import render_job, sweeper
from audionews.jobs.status import article_status
from audionews.models import Job, JobStatus, Rendition, utcnow
from audionews.schema import alembic_config
from tests.helpers import SHORT_ARTICLE


def count(model: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def saved() -> tuple[int, int]:
    result = catalog.save(parse_json(SHORT_ARTICLE))
    assert result.job is not None
    return result.article.id, result.job.id


def test_the_database_refuses_a_second_live_job_and_rendition(app: Flask) -> None:
    with app.test_request_context():
        article_id, job_id = saved()
        db.session.add(Job(article_id=article_id, revision=1, status=JobStatus.RENDERING))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        # Once the first has ended, the revision may be rendered again.
        assert render_job.run_render(article_id, 1, job_id) == "ready"
        again = Job(article_id=article_id, revision=1, status=JobStatus.QUEUED)
        db.session.add(again)
        db.session.commit()
        rendition = db.session.scalar(select(Rendition))
        assert rendition is not None and rendition.job_id == job_id
        db.session.add(Rendition(article_id=article_id, job_id=job_id, revision=1, engine="x"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_the_migrations_make_the_same_indexes(database_url: str, tmp_path: Path) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO article (guid, slug, title, summary, body, links, revision, "
                    "content_hash, published, created_at, updated_at, updated_by, version) "
                    "VALUES ('g', 's', 'T', '', 'B', '[]', 1, 'h', true, :now, :now, '', 1)"
                ),
                {"now": utcnow()},
            )
        insert_job = text(
            "INSERT INTO job (article_id, revision, status, done, total, error, engine, "
            "attempts, created_at, updated_at) "
            "VALUES (1, 1, :status, 0, 0, '', '', 0, :now, :now)"
        )
        with engine.begin() as conn:
            conn.execute(insert_job, {"status": "ready", "now": utcnow()})
            conn.execute(insert_job, {"status": "ready", "now": utcnow()})
            conn.execute(insert_job, {"status": "queued", "now": utcnow()})
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert_job, {"status": "rendering", "now": utcnow()})
    finally:
        engine.dispose()


def test_request_render_reuses_the_queued_job(app: Flask) -> None:
    with app.test_request_context():
        _, job_id = saved()
        article = catalog.find("kurzmeldung-testlauf")
        jobs = catalog.request_render([article]) + catalog.request_render([article])
        assert [job.id for job in jobs] == [job_id, job_id]
        assert count(Job) == 1


def test_a_rerender_asked_for_while_rendering_follows_that_render(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audionews.render.renderer import Renderer

    original = Renderer.render
    live_seen: list[int] = []

    def render_while_an_editor_asks_again(self: Renderer, *args: Any, **kwargs: Any) -> Any:
        if not live_seen:

            def ask() -> None:  # the editor's request, in another process's session
                with app.test_request_context():
                    catalog.request_render([catalog.find("kurzmeldung-testlauf")])
                    live_seen.append(count(Job, Job.status.in_(JobStatus.LIVE)))
                    db.session.remove()

            thread = threading.Thread(target=ask)
            thread.start()
            thread.join(30)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Renderer, "render", render_while_an_editor_asks_again)
    with app.test_request_context():
        article_id, job_id = saved()
        assert render_job.run_render(article_id, 1, job_id) == "ready"
        assert live_seen == [1], "never a second live job while the first renders"
        follow_up = db.session.scalar(select(Job).where(Job.id != job_id))
        assert follow_up is not None and follow_up.status == "queued"
        assert render_job.run_render(article_id, 1, follow_up.id) == "ready"
        assert count(Rendition) == 2 and count(Job) == 2


def test_a_render_without_a_job_uses_the_live_one(app: Flask) -> None:
    with app.test_request_context():
        article_id, job_id = saved()
        assert render_job.run_render(article_id, 1) == "ready"
        job = db.session.get(Job, job_id)
        assert job is not None and job.status == "ready"
        assert count(Job) == 1 and count(Rendition) == 1


def test_an_older_job_answered_by_a_later_render_renders_nothing(app: Flask) -> None:
    with app.test_request_context():
        article_id, old_id = saved()
        # The old job's message is late (say the old sweeper sent it again); meanwhile a
        # later job of the same revision rendered and published.
        db.session.execute(update(Job).values(status="failed"))
        db.session.commit()
        later = Job(article_id=article_id, revision=1, status=JobStatus.QUEUED)
        db.session.add(later)
        db.session.commit()
        assert render_job.run_render(article_id, 1, later.id) == "ready"
        db.session.execute(update(Job).where(Job.id == old_id).values(status="queued"))
        db.session.commit()
        assert render_job.run_render(article_id, 1, old_id) == "ready"
        assert count(Rendition) == 1


def test_a_revision_published_by_another_job_meanwhile_is_not_published_again(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audionews.render.renderer import Renderer

    original = Renderer.render

    def render_while_another_job_publishes(self: Renderer, *args: Any, **kwargs: Any) -> Any:
        output = original(self, *args, **kwargs)
        with db.engine.begin() as conn:  # a second job of this revision, by whatever bug
            conn.execute(
                text(
                    "INSERT INTO job (article_id, revision, status, done, total, error, engine, "
                    "attempts, created_at, updated_at, phase, worker, rerun) VALUES "
                    "(1, 1, 'ready', 0, 0, '', '', 1, :now, :now, '', '', false)"
                ),
                {"now": utcnow()},
            )
        _publish_outside(job_id=2)
        return output

    monkeypatch.setattr(Renderer, "render", render_while_another_job_publishes)
    with app.test_request_context():
        article_id, job_id = saved()
        assert render_job.run_render(article_id, 1, job_id) == "ready"
        assert count(Rendition) == 1
        assert db.session.scalar(select(Rendition.job_id)) == 2


def _finish_outside(app: Flask, job_id: int) -> None:
    """Let 'another worker' finish the job: ready and its rendition, in one commit."""
    with db.engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == job_id).values(status="ready", worker=""))
        _publish(conn, job_id)


def _publish_outside(job_id: int) -> None:
    with db.engine.begin() as conn:
        _publish(conn, job_id)


def _publish(conn: Any, job_id: int) -> None:
    conn.execute(
        insert(Rendition).values(
            article_id=1,
            job_id=job_id,
            revision=1,
            engine="espeak",
            voice="",
            options={},
            files={},
            sizes={},
            durations={},
            chapters={},
            cues=[],
            synthesized=0,
            cached=0,
            created_at=utcnow(),
        )
    )


@pytest.mark.parametrize("moment", range(1, 8))
def test_a_job_that_finishes_between_the_sweepers_queries_is_not_rendered_again(
    app: Flask, moment: int
) -> None:
    """The job of a slow render looks lost (silent, lease run out) and finishes mid-sweep.

    The finish lands before the sweeper's `moment`-th statement, for every moment.
    """
    with app.test_request_context():
        article_id, job_id = saved()
        long_ago = utcnow() - timedelta(hours=1)
        db.session.execute(
            update(Job).values(
                status="rendering", worker="slow:1:x", updated_at=long_ago, lease_until=long_ago
            )
        )
        db.session.commit()
        statements = {"n": 0, "finished": False}

        def finish_at_the_moment(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            if statements["finished"]:
                return
            statements["n"] += 1
            if statements["n"] == moment:
                statements["finished"] = True
                _finish_outside(app, job_id)

        event.listen(db.engine, "before_cursor_execute", finish_at_the_moment)
        try:
            resent = sweeper.sweep()
        finally:
            event.remove(db.engine, "before_cursor_execute", finish_at_the_moment)
        db.session.expire_all()
        # Whatever the sweeper sent, a worker now runs it.
        for sent in resent:
            job = db.session.get(Job, sent)
            assert job is not None
            render_job.run_render(article_id, job.revision, sent)
        assert count(Rendition) == 1, f"rendered twice (sweeper sent {resent})"
        assert count(Job) == 1
        assert article_status(catalog.find("kurzmeldung-testlauf"))["status"] == "ready"


def test_a_lost_rerender_of_a_rendered_revision_is_found_again(app: Flask) -> None:
    """A revision with audio whose re-render message was lost must not stay „queued“."""
    with app.test_request_context():
        article_id, job_id = saved()
        assert render_job.run_render(article_id, 1, job_id) == "ready"
        (rerender,) = catalog.request_render([catalog.find("kurzmeldung-testlauf")])
        # The message is lost, and the job has waited longer than JOB_STALE_SECONDS.
        db.session.execute(
            update(Job)
            .where(Job.id == rerender.id)
            .values(updated_at=utcnow() - timedelta(hours=1))
        )
        db.session.commit()
        assert article_status(catalog.find("kurzmeldung-testlauf"))["status"] == "queued"
        assert sweeper.sweep() == [rerender.id]
        assert render_job.run_render(article_id, 1, rerender.id) == "ready"
        assert article_status(catalog.find("kurzmeldung-testlauf"))["status"] == "ready"


def test_the_sweeper_adds_a_job_only_where_none_exists(app: Flask) -> None:
    with app.test_request_context():
        _, job_id = saved()
        db.session.execute(update(Job).values(status="superseded"))  # say, from an old version
        db.session.commit()
        (added,) = sweeper.sweep()
        assert added != job_id and sweeper.sweep() == []
        db.session.execute(update(Job).where(Job.id == added).values(status="failed"))
        db.session.commit()
        assert sweeper.sweep() == [], "a failed render waits for an editor"


def test_concurrent_renders_of_one_job_render_once(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audionews.render.renderer import Renderer

    original = Renderer.render
    calls: list[int] = []

    def counted(self: Renderer, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Renderer, "render", counted)
    with app.test_request_context():
        article_id, job_id = saved()
    barrier = threading.Barrier(3)
    results: list[str] = []

    def deliver() -> None:
        with app.test_request_context():
            barrier.wait()
            results.append(render_job.run_render(article_id, 1, job_id))
            db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(calls) == 1
    assert "ready" in results
    with app.app_context():
        assert count(Rendition) == 1
