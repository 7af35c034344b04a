"""search index: one entry per published article, and the dashboard's order (#15)

PostgreSQL: `search_entry.vector` (to_tsvector('german', …) of the folded text) with a GIN
index. SQLite: the FTS5 table `article_fts` of the stems, rowid = `search_entry.sort_key`,
with a trigger that drops its row with the entry. Existing published articles are indexed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from audionews.search.entry import create_sqlite_index
from audionews.search.index import backfill

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_entry",
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sort_key", sa.BigInteger(), nullable=False),
        sa.Column(
            "vector", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True
        ),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id"),
    )
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.create_index("ix_search_entry_sort_key", ["sort_key"], unique=False)
        batch_op.create_index(
            "ix_search_entry_vector", ["vector"], unique=False, postgresql_using="gin"
        )
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.create_index("ix_article_updated_at", ["updated_at"], unique=False)
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        create_sqlite_index(connection)
    backfill(connection)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS search_entry_gone")
        op.execute("DROP TABLE IF EXISTS article_fts")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index("ix_article_updated_at")
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_search_entry_vector", postgresql_using="gin")
        batch_op.drop_index("ix_search_entry_sort_key")
    op.drop_table("search_entry")
