"""rendition cache keys: the segments and chunks each rendition (and briefing) was made of

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:01:38.616622
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


TABLES = ("rendition", "briefing")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("cache_keys", sa.JSON(), server_default="{}", nullable=False)
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("cache_keys")
