"""Many ready articles from one real render, inserted in bulk (bench/pages.py, tests).

Like bench/feeds.py: one sample is rendered for real (espeak) and its files are shared by
every row, since pages read rows and file names, not audio. Rows go in with executemany
inserts (10,000 articles in seconds), spread over news days, `per_day` a day ending today,
then the search index is filled as migration 0008 fills it for existing articles.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

from sqlalchemy import insert

from audionews.articles import parse_text
from audionews.days import day_bounds, today
from audionews.db import db
from audionews.models import Article, Job, JobStatus, Rendition, utcnow
from audionews.render.renderer import RenderInput, RenderOutput
from audionews.search.index import backfill

SAMPLE = "bahnstreik.txt"
BATCH = 1000


def sample() -> tuple[str, str, str, list[dict[str, str]]]:
    text = (resources.files("audionews") / "samples" / SAMPLE).read_text("utf-8")
    data = parse_text(text)
    return (
        data.title,
        data.summary,
        data.body,
        [{"title": i.title, "url": i.url} for i in data.links],
    )


def render_sample(app: Any) -> RenderOutput:
    """Render the sample article once, for real (inside `app`)."""
    from audionews.jobs.render_job import renderer

    title, summary, body, _links = sample()
    with app.app_context():
        return renderer().render(
            RenderInput(
                slug="bahnstreik", title=title, summary=summary, body=body, date=utcnow().date()
            )
        )


def rendition_fields(output: RenderOutput) -> dict[str, Any]:
    """Return the columns of a Rendition row of `output` (what every seeded article shares)."""
    return {
        "engine": output.engine,
        "voice": output.voice,
        "options": output.options,
        "files": output.files | output.sidecars,
        "sizes": output.sizes,
        "durations": output.durations,
        "chapters": output.chapters,
        "cues": output.cues,
        "synthesized": output.synthesized,
        "cached": output.cached,
        "cache_keys": output.cache_keys,
    }


def seed(
    app: Any, rendition: dict[str, Any], count: int, per_day: int = 25, start: int = 0
) -> None:
    """Insert `count` published articles with a ready rendition and a finished job each.

    Article n (from `start`) is the n-th newest: day n // per_day before today, spread over
    that day. `rendition`: the columns every article's rendition shares (`rendition_fields`).
    """
    title, summary, body, links = sample()
    with app.app_context():
        settings = app.config["AUDIONEWS"]
        now = utcnow()
        current = today(settings, now)
        connection = db.session.connection()
        for first in range(start, start + count, BATCH):
            numbers = range(first, min(start + count, first + BATCH))
            articles = []
            for number in numbers:
                day = current - dt.timedelta(days=number // per_day)
                begins, ends = day_bounds(day, settings)
                ends = min(ends, now)
                step = (ends - begins) / (per_day + 1)
                moment = ends - step * (number % per_day + 1)
                articles.append(
                    {
                        "id": number + 1,
                        "guid": f"00000000-0000-4000-8000-{number:012d}",
                        "slug": f"meldung-{number:05d}",
                        "title": f"{title} ({number})",
                        "summary": summary,
                        "body": body,
                        "links": links,
                        "revision": 1,
                        "content_hash": f"{number:064d}",
                        "published": True,
                        "published_at": moment,
                        "created_at": moment,
                        "updated_at": moment,
                        "updated_by": "bench",
                        "version": 1,
                    }
                )
            connection.execute(insert(Article), articles)
            connection.execute(
                insert(Job),
                [
                    {
                        "id": row["id"],
                        "article_id": row["id"],
                        "revision": 1,
                        "status": JobStatus.READY,
                        "done": 1,
                        "total": 1,
                        "error": "",
                        "engine": rendition["engine"],
                        "attempts": 1,
                        "created_at": row["created_at"],
                        "updated_at": row["created_at"],
                        "phase": "",
                        "worker": "",
                        "rerun": False,
                    }
                    for row in articles
                ],
            )
            connection.execute(
                insert(Rendition),
                [
                    rendition
                    | {
                        "article_id": row["id"],
                        "job_id": row["id"],
                        "revision": 1,
                        "created_at": row["created_at"],
                    }
                    for row in articles
                ],
            )
        backfill(connection)
        if connection.dialect.name == "postgresql":
            # Explicit ids leave the sequences behind; the planner wants fresh statistics.
            for table in ("article", "job", "rendition"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum does by itself
        else:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
