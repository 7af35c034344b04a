"""rendition cache keys: the segments and chunks each rendition was made of (cache prune)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:01:38.616622
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rendition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cache_keys", sa.JSON(), server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("rendition", schema=None) as batch_op:
        batch_op.drop_column("cache_keys")
