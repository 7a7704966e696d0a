"""deliveries of any kind in one table (was digest_deliveries); digest rows keep their claims

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DIGEST = "digest"


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("item", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=255), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('claimed', 'delivered', 'failed')", name=op.f("ck_deliveries_status")
        ),
        sa.PrimaryKeyConstraint("kind", "subject", "item", name=op.f("pk_deliveries")),
    )
    # Every digest delivery keeps its state; a delivered one also records its channel.
    op.execute(
        sa.text(
            "INSERT INTO deliveries (kind, subject, item, status, claimed_by, lease_expires_at,"
            " attempts, next_attempt_at, channel_id, message_ts, error, created_at, updated_at)"
            " SELECT :kind, CAST(d.subscription_id AS VARCHAR(255)), d.period_key, d.status,"
            " d.claimed_by, d.lease_expires_at, d.attempts, d.next_attempt_at,"
            " CASE WHEN d.status = 'delivered' THEN s.channel_id END, d.slack_ts, d.error,"
            " d.created_at, d.updated_at"
            " FROM digest_deliveries d JOIN digest_subscriptions s ON s.id = d.subscription_id"
        ).bindparams(kind=DIGEST)
    )
    op.drop_table("digest_deliveries")


def downgrade() -> None:
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
    # Digest rows go back (other kinds did not exist before this revision).
    op.execute(
        sa.text(
            "INSERT INTO digest_deliveries (subscription_id, period_key, status, claimed_by,"
            " lease_expires_at, attempts, next_attempt_at, slack_ts, error, created_at,"
            " updated_at)"
            " SELECT s.id, d.item, d.status, d.claimed_by, d.lease_expires_at, d.attempts,"
            " d.next_attempt_at, d.message_ts, d.error, d.created_at, d.updated_at"
            " FROM deliveries d JOIN digest_subscriptions s"
            " ON CAST(s.id AS VARCHAR(255)) = d.subject"
            " WHERE d.kind = :kind AND LENGTH(d.item) <= 64"
        ).bindparams(kind=DIGEST)
    )
    op.drop_table("deliveries")
