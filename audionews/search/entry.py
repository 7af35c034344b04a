"""The search index's rows: one `SearchEntry` per published article.

`sort_key` orders the entries newest first (the article's first publication, then its id),
so a search reads its first page in index order and stops: a common word costs what a rare
one does, whatever the number of articles. On PostgreSQL `vector` holds
`to_tsvector('german', …)` of the folded text, with a GIN index; on SQLite it stays empty and
the FTS5 table `article_fts` (rowid = sort_key) holds the stems, created with the table and
kept in step with it by a trigger.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, BigInteger, ForeignKey, Index, Text, event
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db

FTS_TABLE = "article_fts"
# The tables Alembic's comparison leaves alone: the FTS5 table and its shadow tables.
UNMANAGED_PREFIX = FTS_TABLE
_EPOCH = datetime(1970, 1, 1)
_ID_BITS = 20

SQLITE_DDL = (
    # Stems only (search/text.py folds and stems): no tokenizer magic, no stored copy to match.
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(terms, "
    "tokenize = 'unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER IF NOT EXISTS search_entry_gone AFTER DELETE ON search_entry BEGIN "
    f"DELETE FROM {FTS_TABLE} WHERE rowid = old.sort_key; END",
)


def sort_key(published_at: datetime, article_id: int) -> int:
    """Return the key that orders entries by publication (milliseconds), then by id."""
    millis = int((published_at - _EPOCH).total_seconds() * 1000)
    return (millis << _ID_BITS) + (article_id % (1 << _ID_BITS))


class SearchEntry(db.Model):  # type: ignore[name-defined]
    __tablename__ = "search_entry"
    __table_args__ = (
        Index("ix_search_entry_sort_key", "sort_key"),
        Index("ix_search_entry_vector", "vector", postgresql_using="gin"),
    )

    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    sort_key: Mapped[int] = mapped_column(BigInteger)
    vector: Mapped[str | None] = mapped_column(
        Text().with_variant(TSVECTOR(), "postgresql"), default=None
    )


def create_sqlite_index(connection: object) -> None:
    """Create the FTS5 table and its trigger (SQLite only; the caller checks the dialect)."""
    for statement in SQLITE_DDL:
        connection.exec_driver_sql(statement)  # type: ignore[attr-defined]


for _statement in SQLITE_DDL:
    event.listen(
        SearchEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite")
    )
