"""polling foundation: poll group watermarks and delivery anchors (issues 13 and 14)

Revision ID: 0005_polling
Revises: 0004_personal
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_polling"
down_revision = "0004_personal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "poll_watermarks",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("watermark", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_poll_watermarks")),
    )
    op.create_table(
        "delivery_anchors",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("topic", sa.String(length=255), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "subject", "topic", name=op.f("pk_delivery_anchors")),
    )
    op.create_index(
        op.f("ix_delivery_anchors_kind_updated_at"),
        "delivery_anchors",
        ["kind", "updated_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_anchors_kind_updated_at"), table_name="delivery_anchors")
    op.drop_table("delivery_anchors")
    op.drop_table("poll_watermarks")
