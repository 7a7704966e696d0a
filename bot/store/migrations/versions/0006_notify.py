"""channel notification subscriptions (issue 13)

Revision ID: 0006_notify
Revises: 0005_polling

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_notify"
down_revision = "0005_polling"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notify_subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("space_key", sa.String(length=255), nullable=False),
        sa.Column("space_id", sa.String(length=64), nullable=False),
        sa.Column("kinds", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=True),
        sa.Column("under_page_id", sa.String(length=64), nullable=True),
        sa.Column("under_title", sa.Text(), nullable=True),
        sa.Column("edits", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("edits IN ('all', 'major')", name=op.f("ck_notify_subscriptions_edits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_subscriptions")),
        sa.UniqueConstraint(
            "team_id",
            "channel_id",
            "space_key",
            name=op.f("uq_notify_subscriptions_team_id_channel_id_space_key"),
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_notify_subscriptions_created_by"),
        "notify_subscriptions",
        ["created_by"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_notify_subscriptions_created_by"), table_name="notify_subscriptions")
    op.drop_table("notify_subscriptions")
