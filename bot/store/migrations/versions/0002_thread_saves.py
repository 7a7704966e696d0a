"""thread saves in progress: lease and intent, for resuming a save whose process died

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "thread_saves",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("create_title", sa.Text(), nullable=True),
        sa.Column("create_space_id", sa.String(length=64), nullable=True),
        sa.Column("creating_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("page_id", sa.String(length=64), nullable=True),
        sa.Column("resumes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('running', 'failed')", name=op.f("ck_thread_saves_status")),
        sa.PrimaryKeyConstraint("team_id", "channel_id", "thread_ts", name=op.f("pk_thread_saves")),
    )
    op.create_index(
        op.f("ix_thread_saves_lease_expires_at"), "thread_saves", ["lease_expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_thread_saves_lease_expires_at"), table_name="thread_saves")
    op.drop_table("thread_saves")
