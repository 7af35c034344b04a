"""The day job: build every product of a news day (the daily briefing, …) when the day changed.

Whatever changes what a news day holds calls `mark_article` (or `mark`) inside its own
transaction: a render that ended, a publication or withdrawal, a deletion, editors' order.
The mark counts `NewsDay.changed` up in that transaction, and once it commits, the day's task
(`audionews.build_day`, sent by name) is queued. `build_day` builds the day's products from
the current state of the database, and coalesces:

- while a render of one of the day's articles is queued or running, it waits: the end of that
  render marks the day again (twenty articles imported at once build the briefing once, after
  the last render);
- a build covers every mark counted when it started (`NewsDay.built`), so the other messages
  for the day find it clean and do nothing;
- a build holds a lease (`building_since`): two workers never build one day at once, and a mark
  that arrives during a build gets a second build right after;
- each product compares a content key with what it built last and leaves an unchanged day alone.

A lost message (a broker restart) is found again by `sweep`, which every worker's sweeper runs.

To add a product (the DAISY book), add it to `products()`: a function of the day that builds it
from the database (idempotent, content-named files published atomically) and returns a word
for the log. Products run in that order, each in its own transaction, with the lease held.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import case, event, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ..days import day_bounds, news_day
from ..db import db
from ..models import Article, Job, JobStatus, NewsDay, utcnow
from ..render.storage import NO_SPACE, out_of_space
from .queue import send_day

log = logging.getLogger(__name__)

# What build_day did, for the task's result and the log.
CLEAN, WAITING, BUSY, BUILT, FAILED = "clean", "waiting", "busy", "built", "failed"
_PENDING = "audionews.marked_days"

Product = Callable[[dt.date], str]


def products() -> list[tuple[str, Product]]:
    """Return the per-day products in the order they are built."""
    from . import briefing_job, daisy_job  # here: they reach the renderer, which marks days

    return [("briefing", briefing_job.build), ("daisy", daisy_job.build)]


def _settings() -> dict[str, Any]:
    settings: dict[str, Any] = current_app.config["AUDIONEWS"]
    return settings


def mark(day: dt.date) -> None:
    """Count a change of `day` in the current transaction; its build is queued after the commit."""
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(NewsDay).values(day=day, changed=1, built=0, changed_at=now, error="")
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[NewsDay.day],
            set_={"changed": NewsDay.changed + 1, "changed_at": now},
        )
    )
    db.session.info.setdefault(_PENDING, set()).add(day)


def mark_article(article: Article) -> None:
    """Mark the news day of `article`, if it ever went public (withdrawn ones too)."""
    if article.published_at is not None:
        mark(news_day(article.published_at, _settings()))


@event.listens_for(Session, "after_commit")
def _queue_marked(session: Session) -> None:
    days = session.info.pop(_PENDING, None)
    if days and has_app_context():
        for day in sorted(days):
            send_day(day)


@event.listens_for(Session, "after_rollback")
def _forget_marked(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _stale_before() -> dt.datetime:
    return utcnow() - timedelta(seconds=_settings()["JOB_STALE_SECONDS"])


def renders_pending(day: dt.date) -> bool:
    """Return whether a render of a published article of `day` is queued or running.

    A job silent for longer than JOB_STALE_SECONDS does not count: the sweeper sends it again,
    and its end marks the day once more.
    """
    start, end = day_bounds(day, _settings())
    live = (
        select(Job.id)
        .join(Article, Job.article_id == Article.id)
        .where(
            Article.published.is_(True),
            Article.published_at >= start,
            Article.published_at < end,
            Job.revision == Article.revision,
            Job.status.in_(JobStatus.LIVE),
            Job.updated_at > _stale_before(),
        )
        .limit(1)
    )
    return db.session.scalar(live) is not None


def build_day(day: dt.date) -> str:
    """Build every product of `day` if the day changed since its last build; return what happened.

    Safe to call any number of times, from any number of workers at once.
    """
    state = db.session.get(NewsDay, day)
    if state is None or state.built >= state.changed:
        return CLEAN
    if renders_pending(day):
        return WAITING
    now = utcnow()
    claimed = db.session.execute(
        update(NewsDay)
        .where(
            NewsDay.day == day,
            or_(NewsDay.building_since.is_(None), NewsDay.building_since < _stale_before()),
        )
        .values(building_since=now, attempted_at=now)
    ).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    if not claimed:
        return BUSY
    db.session.refresh(state)
    covered = state.changed  # read after the claim: every mark up to here is in the data
    problems: list[str] = []
    try:
        for name, product in products():
            try:
                outcome = product(day)
                log.info("day %s: %s %s", day, name, outcome)
            except OperationalError:
                raise  # the database is away: the task retries the whole day
            except Exception as exc:
                db.session.rollback()
                if out_of_space(exc):
                    # The day stays to be built: the sweeper tries again once there is room.
                    log.warning("day %s: no space left to build the %s: %s", day, name, exc)
                    problems.append(f"{name}: {NO_SPACE}")
                    continue
                log.exception("day %s: building the %s failed", day, name)
                problems.append(f"{name}: {type(exc).__name__}: {exc}"[:500])
    except BaseException:
        db.session.rollback()
        _release(day)
        raise
    values: dict[str, Any] = {"building_since": None, "error": "; ".join(problems)}
    if not problems:
        # Never backwards: a builder that took over a stale lease may have covered more.
        values |= {
            "built": case((NewsDay.built < covered, covered), else_=NewsDay.built),
            "built_at": utcnow(),
        }
    db.session.execute(update(NewsDay).where(NewsDay.day == day).values(**values))
    db.session.commit()
    db.session.refresh(state)
    if state.changed > covered:
        # Marked while this build ran: that message may have found the lease taken. (After a
        # failed product too: the new change may be what mends it, and waiting for the
        # sweeper would keep a withdrawn article in the briefing for minutes.)
        send_day(day)
    return FAILED if problems else BUILT


def _release(day: dt.date) -> None:
    """Give the lease back after an error (best effort: the database may be the error)."""
    try:
        db.session.execute(update(NewsDay).where(NewsDay.day == day).values(building_since=None))
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.warning("day %s: could not release the build lease", day)


def sweep() -> list[dt.date]:
    """Queue the builds of days that stayed dirty (a lost message, a failed build); return them.

    A day counts once its last change and its last attempt are older than JOB_STALE_SECONDS,
    as a render job does.
    """
    stale_before = _stale_before()
    days = db.session.scalars(
        select(NewsDay.day).where(
            NewsDay.changed > NewsDay.built,
            NewsDay.changed_at < stale_before,
            or_(NewsDay.attempted_at.is_(None), NewsDay.attempted_at < stale_before),
            or_(NewsDay.building_since.is_(None), NewsDay.building_since < stale_before),
        )
    ).all()
    for day in days:
        log.info("sweeper queues the build of %s", day)
        send_day(day)
    from . import briefing_job

    briefing_job.prune()  # replaced briefings past their grace time
    return list(days)
