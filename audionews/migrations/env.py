"""Alembic environment: runs on the connection `audionews.schema` hands over."""

from __future__ import annotations

from alembic import context

from audionews import models  # noqa: F401  (register the tables)
from audionews.db import db
from audionews.search.entry import UNMANAGED_PREFIX


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Leave SQLite's FTS5 search table and its shadow tables to search/entry.py."""
    return not (type_ == "table" and (name or "").startswith(UNMANAGED_PREFIX))


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=db.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
