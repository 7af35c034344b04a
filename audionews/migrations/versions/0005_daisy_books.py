"""daisy_book: the DAISY talking books of news days and articles (#13)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:26:17
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daisy_book",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("file", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("duration", sa.Double(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("toc_items", sa.Integer(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("articles", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("daisy_book", schema=None) as batch_op:
        batch_op.create_index("ix_daisy_book_article", ["article_id", "id"], unique=False)
        batch_op.create_index("ix_daisy_book_day", ["day", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("daisy_book", schema=None) as batch_op:
        batch_op.drop_index("ix_daisy_book_day")
        batch_op.drop_index("ix_daisy_book_article")

    op.drop_table("daisy_book")
