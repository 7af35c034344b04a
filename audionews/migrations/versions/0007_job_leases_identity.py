"""job leases and article identity (#10)

One live job per article revision (a partial unique index), one rendition per job, the lease
and phase of a rendering job, and the integrator's `source_id` of an article.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:44:07.537375
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LIVE_JOB = sa.text("status IN ('queued', 'rendering')")


def upgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_owner", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("source_id", sa.String(length=200), nullable=True))
        batch_op.create_index("ix_article_title", ["title"], unique=False)
        batch_op.create_unique_constraint("uq_article_source", ["source_owner", "source_id"])

    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phase", sa.String(length=16), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("worker", sa.String(length=120), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("rerun", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    # Databases from before this migration may hold duplicates the new indexes refuse: keep
    # the newest live job of each revision and the first rendition of each job.
    op.execute(
        "UPDATE job SET status = 'superseded' WHERE status IN ('queued', 'rendering') "
        "AND id NOT IN (SELECT MAX(id) FROM job WHERE status IN ('queued', 'rendering') "
        "GROUP BY article_id, revision)"
    )
    op.execute(
        "UPDATE rendition SET job_id = NULL WHERE job_id IS NOT NULL AND id NOT IN "
        "(SELECT MIN(id) FROM rendition WHERE job_id IS NOT NULL GROUP BY job_id)"
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(
            "uq_job_live_revision",
            ["article_id", "revision"],
            unique=True,
            sqlite_where=LIVE_JOB,
            postgresql_where=LIVE_JOB,
        )
    with op.batch_alter_table("rendition", schema=None) as batch_op:
        batch_op.create_index("uq_rendition_job", ["job_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("rendition", schema=None) as batch_op:
        batch_op.drop_index("uq_rendition_job")

    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index("uq_job_live_revision")
        batch_op.drop_column("rerun")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("started_at")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("worker")
        batch_op.drop_column("phase")

    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_constraint("uq_article_source", type_="unique")
        batch_op.drop_index("ix_article_title")
        batch_op.drop_column("source_id")
        batch_op.drop_column("source_owner")
