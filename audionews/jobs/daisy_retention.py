"""How long DAISY books stay: replaced ones an hour, editions DAISY_KEEP_DAYS after their day.

A replaced book stays downloadable for `GRACE` (a download that started a moment ago), unless
it holds an article that is no longer public; the book of a withdrawn article goes at once, a
deleted article's with its row. `prune` runs after every build of a day (`jobs.daisy_job`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select

from ..daisy import package
from ..days import today
from ..db import db
from ..models import Article, DaisyBook, utcnow
from ..render.storage import Storage

log = logging.getLogger(__name__)

GRACE = timedelta(hours=1)


def _settings() -> dict[str, Any]:
    settings: dict[str, Any] = current_app.config["AUDIONEWS"]
    return settings


def expired(day: dt.date) -> bool:
    """Return whether `day`'s edition is past DAISY_KEEP_DAYS."""
    keep = _settings()["DAISY_KEEP_DAYS"]
    return bool(keep) and day < today(_settings()) - timedelta(days=keep)


def prune() -> int:
    """Delete replaced books past GRACE or holding an article that is no longer public, the
    books of withdrawn articles, and editions past DAISY_KEEP_DAYS; return how many rows went.

    Their zips go once no remaining row names them; so do zips no row names at all (the books
    of deleted articles) once they are older than GRACE.
    """
    now = utcnow()
    rows = db.session.scalars(
        select(DaisyBook)
        .outerjoin(Article, DaisyBook.article_id == Article.id)
        .where(
            or_(
                DaisyBook.superseded_at.is_not(None),
                Article.published.is_not(True),  # withdrawn, or deleted (no row: NULL)
                DaisyBook.day.is_not(None),
            )
        )
    ).all()
    ids = {article for row in rows for article in row.articles}
    public = set(
        db.session.scalars(select(Article.id).where(Article.id.in_(ids), Article.published))
    )
    gone = [row for row in rows if _goes(row, public, now)]
    if gone:
        for row in gone:
            db.session.delete(row)
        db.session.commit()
    kept = set(db.session.scalars(select(DaisyBook.file)))
    names = {row.file for row in gone}
    _delete_files(names - kept, kept, now)
    return len(gone)


def _goes(row: DaisyBook, public: set[int], now: dt.datetime) -> bool:
    if row.day is not None and expired(row.day):
        return True
    if any(article not in public for article in row.articles):
        return True  # a withdrawn or deleted article: nobody gets it any more
    return row.superseded_at is not None and row.superseded_at < now - GRACE


def _delete_files(names: set[str], kept: set[str], now: dt.datetime) -> None:
    storage: Storage = current_app.extensions["storage"]
    cutoff = (now - GRACE).replace(tzinfo=dt.UTC).timestamp()
    try:
        with os.scandir(storage.root) as entries:
            for entry in entries:
                if (
                    entry.name.endswith(f"-{package.SUFFIX}")
                    and entry.name not in kept
                    and entry.is_file(follow_symlinks=False)
                    and entry.stat().st_mtime < cutoff
                ):
                    names.add(entry.name)
    except FileNotFoundError:
        return
    for name in names:
        try:
            storage.delete(name)
        except (OSError, ValueError):
            log.warning("could not delete DAISY book %s", name)
