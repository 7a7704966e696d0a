"""initial schema

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Size note: frozen history — a released migration is never edited, so it is not split."""
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("space_key", sa.String(length=255), nullable=False),
        sa.Column("space_id", sa.String(length=64), nullable=False),
        sa.Column("schedule", sa.String(length=16), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=True),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("minute", sa.SmallInteger(), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("connection_id", sa.String(length=255), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("last_delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(schedule = 'weekly' AND weekday BETWEEN 0 AND 6) OR (schedule <> 'weekly' AND weekday IS NULL)",
            name=op.f("ck_digest_subscriptions_weekday"),
        ),
        sa.CheckConstraint(
            "schedule IN ('daily', 'weekdays', 'weekly')",
            name=op.f("ck_digest_subscriptions_schedule"),
        ),
        sa.CheckConstraint(
            "hour BETWEEN 0 AND 23 AND minute BETWEEN 0 AND 59",
            name=op.f("ck_digest_subscriptions_time_of_day"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_subscriptions")),
        sa.UniqueConstraint(
            "team_id",
            "channel_id",
            "space_key",
            name=op.f("uq_digest_subscriptions_team_id_channel_id_space_key"),
        ),
    )
    op.create_index(
        op.f("ix_digest_subscriptions_created_by"),
        "digest_subscriptions",
        ["created_by"],
        unique=False,
    )
    op.create_index(
        op.f("ix_digest_subscriptions_paused"), "digest_subscriptions", ["paused"], unique=False
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(
        op.f("ix_idempotency_keys_expires_at"), "idempotency_keys", ["expires_at"], unique=False
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
    )
    op.create_index(
        op.f("ix_processed_events_expires_at"), "processed_events", ["expires_at"], unique=False
    )
    op.create_table(
        "thread_pages",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=False),
        sa.Column("page_id", sa.String(length=64), nullable=False),
        sa.Column("space_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "channel_id", "thread_ts", name=op.f("pk_thread_pages")),
    )
    op.create_index(op.f("ix_thread_pages_page_id"), "thread_pages", ["page_id"], unique=False)
    op.create_table(
        "user_connections",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("connection_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("atlassian_account_id", sa.String(length=128), nullable=True),
        sa.Column("atlassian_name", sa.Text(), nullable=True),
        sa.Column("atlassian_email", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'stale')", name=op.f("ck_user_connections_status")
        ),
        sa.PrimaryKeyConstraint("team_id", "slack_user_id", name=op.f("pk_user_connections")),
    )
    op.create_index(
        op.f("ix_user_connections_connection_id"),
        "user_connections",
        ["connection_id"],
        unique=False,
    )
    op.create_table(
        "digest_deliveries",
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=255), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('claimed', 'delivered', 'failed')", name=op.f("ck_digest_deliveries_status")
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["digest_subscriptions.id"],
            name=op.f("fk_digest_deliveries_subscription_id_digest_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subscription_id", "period_key", name=op.f("pk_digest_deliveries")),
    )


def downgrade() -> None:
    op.drop_table("digest_deliveries")
    op.drop_index(op.f("ix_user_connections_connection_id"), "user_connections")
    op.drop_table("user_connections")
    op.drop_index(op.f("ix_thread_pages_page_id"), "thread_pages")
    op.drop_table("thread_pages")
    op.drop_index(op.f("ix_processed_events_expires_at"), "processed_events")
    op.drop_table("processed_events")
    op.drop_index(op.f("ix_idempotency_keys_expires_at"), "idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index(op.f("ix_digest_subscriptions_paused"), "digest_subscriptions")
    op.drop_index(op.f("ix_digest_subscriptions_created_by"), "digest_subscriptions")
    op.drop_table("digest_subscriptions")
