"""Keep the search index in step with the articles, and look things up in it.

Every flush of the ORM session that creates, changes (title, summary, body, publication) or
deletes an article updates its entry in the same transaction (`_after_flush`), so whatever
saves articles (catalog, back office, CLI) keeps the index right; an article that is not
published has no entry. `backfill` indexes existing articles (migration 0008, benchmarks).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Text,
    bindparam,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import InstanceState, Session

from ..models import Article
from .entry import FTS_TABLE, SearchEntry, sort_key
from .text import Query, fold, parts, terms

WATCHED = ("title", "summary", "body", "published", "published_at")
BATCH = 500


@dataclass(frozen=True)
class Indexed:
    """What the index needs of one article."""

    id: int
    title: str
    summary: str
    body: str
    published_at: datetime


def _is_postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def remove(connection: Connection, ids: Iterable[int]) -> None:
    """Delete the entries of the articles `ids` (the SQLite trigger drops their FTS rows)."""
    wanted = list(ids)
    if wanted:
        connection.execute(delete(SearchEntry).where(SearchEntry.article_id.in_(wanted)))


def add(connection: Connection, items: Sequence[Indexed]) -> None:
    """Index `items` (which have no entry yet)."""
    if not items:
        return
    keys = [sort_key(item.published_at, item.id) for item in items]
    if _is_postgres(connection):
        connection.execute(
            insert(SearchEntry).values(
                vector=func.to_tsvector("german", bindparam("folded", type_=Text))
            ),
            [
                {"article_id": item.id, "sort_key": key, "folded": _folded(item)}
                for item, key in zip(items, keys, strict=True)
            ],
        )
        return
    connection.execute(
        insert(SearchEntry),
        [{"article_id": item.id, "sort_key": key} for item, key in zip(items, keys, strict=True)],
    )
    connection.exec_driver_sql(
        f"INSERT INTO {FTS_TABLE} (rowid, terms) VALUES (?, ?)",
        [(key, _terms(item)) for item, key in zip(items, keys, strict=True)],
    )


def _folded(item: Indexed) -> str:
    return fold("\n".join(parts(item.title, item.summary, item.body)))


def _terms(item: Indexed) -> str:
    return " ".join(terms(part) for part in parts(item.title, item.summary, item.body))


def _indexed(article: Article) -> Indexed:
    return Indexed(
        article.id,
        article.title or "",
        article.summary or "",
        article.body or "",
        article.published_at or article.created_at,
    )


def backfill(connection: Connection) -> int:
    """Index every published article that has no entry yet; return how many."""
    done = 0
    last = 0
    while True:
        rows = connection.execute(
            select(
                Article.id,
                Article.title,
                Article.summary,
                Article.body,
                func.coalesce(Article.published_at, Article.created_at),
            )
            .where(
                Article.published.is_(True),
                Article.id > last,
                ~select(SearchEntry.article_id)
                .where(SearchEntry.article_id == Article.id)
                .exists(),
            )
            .order_by(Article.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return done
        add(connection, [Indexed(r[0], r[1] or "", r[2] or "", r[3] or "", r[4]) for r in rows])
        done += len(rows)
        last = rows[-1][0]


def _changed(article: Article) -> bool:
    state: InstanceState[Article] = inspect(article)
    return any(state.attrs[name].history.has_changes() for name in WATCHED)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    stale: set[int] = set()
    fresh: list[Indexed] = []
    for obj in session.deleted:
        if isinstance(obj, Article) and obj.id is not None:
            stale.add(obj.id)
    for obj in [*session.new, *session.dirty]:
        if not isinstance(obj, Article) or obj in session.deleted:
            continue
        if obj not in session.new and not _changed(obj):
            continue
        stale.add(obj.id)
        if obj.published:
            fresh.append(_indexed(obj))
    if not stale:
        return
    connection = session.connection()
    remove(connection, stale)
    add(connection, fresh)


def find(connection: Connection, query: Query, limit: int, offset: int = 0) -> list[int]:
    """Return the ids of the published articles that match `query`, newest first."""
    if query.empty:
        return []
    if _is_postgres(connection):
        return list(
            connection.scalars(
                select(SearchEntry.article_id)
                .where(SearchEntry.vector.op("@@")(func.plainto_tsquery("german", query.folded())))
                .order_by(SearchEntry.sort_key.desc())
                .limit(limit)
                .offset(offset)
            )
        )
    keys = list(
        connection.scalars(
            text(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match "
                "ORDER BY rowid DESC LIMIT :limit OFFSET :offset"
            ),
            {"match": query.fts5(), "limit": limit, "offset": offset},
        )
    )
    if not keys:
        return []
    by_key = dict(
        connection.execute(
            select(SearchEntry.sort_key, SearchEntry.article_id).where(
                SearchEntry.sort_key.in_(keys)
            )
        ).all()
    )
    return [by_key[key] for key in keys if key in by_key]
