"""article.published_at: when an article first went public (its news day)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_article_published_at", ["published_at"], unique=False)
    # Articles that are public already went public when they were made, as far as we know.
    op.execute("UPDATE article SET published_at = created_at WHERE published")


def downgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index("ix_article_published_at")
        batch_op.drop_column("published_at")
