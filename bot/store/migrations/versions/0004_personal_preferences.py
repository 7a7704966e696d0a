"""personal notification preferences of linked users (issue 14)

Revision ID: 0004_personal
Revises: 0003

Written beside issue 13's migration, which also follows 0003: whichever merges second points its
down_revision at the other.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_personal"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "personal_preferences",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("mentions", sa.Boolean(), nullable=False),
        sa.Column("comments", sa.Boolean(), nullable=False),
        sa.Column("watching", sa.Boolean(), nullable=False),
        sa.Column("tasks", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "slack_user_id", name=op.f("pk_personal_preferences")),
    )


def downgrade() -> None:
    op.drop_table("personal_preferences")
