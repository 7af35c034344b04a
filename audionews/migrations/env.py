"""Alembic environment: runs on the connection `audionews.schema` hands over."""

from __future__ import annotations

from alembic import context

from audionews import models  # noqa: F401  (register the tables)
from audionews.db import db

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=db.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
