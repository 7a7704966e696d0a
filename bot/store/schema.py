"""Table definitions (SQLAlchemy Core). Migrations in `migrations/versions` must produce exactly this."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out.

    PostgreSQL stores `timestamptz`. SQLite has no time zones, so values are stored as naive UTC
    text, which also keeps string comparison in WHERE clauses chronological.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


processed_events = sa.Table(
    "processed_events",
    metadata,
    sa.Column("event_id", sa.String(255), primary_key=True),
    sa.Column("expires_at", UTCDateTime(), nullable=False, index=True),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("result", sa.Text(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False, index=True),
)

thread_pages = sa.Table(
    "thread_pages",
    metadata,
    sa.Column("team_id", sa.String(32), primary_key=True),
    sa.Column("channel_id", sa.String(32), primary_key=True),
    sa.Column("thread_ts", sa.String(32), primary_key=True),
    sa.Column("page_id", sa.String(64), nullable=False, index=True),
    sa.Column("space_id", sa.String(64), nullable=False),
    sa.Column("site_id", sa.String(255), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("created_by", sa.String(32), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

thread_saves = sa.Table(
    # A save of a thread in progress: the lock (a lease, renewed while the save runs) and the
    # intent (the request; then title and space just before the page is created, and the page id
    # just after), so a save whose process died is resumed and its page adopted.
    "thread_saves",
    metadata,
    sa.Column("team_id", sa.String(32), primary_key=True),
    sa.Column("channel_id", sa.String(32), primary_key=True),
    sa.Column("thread_ts", sa.String(32), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("owner", sa.String(255), nullable=False),
    sa.Column("lease_expires_at", UTCDateTime(), nullable=False, index=True),
    sa.Column("request", sa.Text(), nullable=False),
    sa.Column("user_id", sa.String(32), nullable=False),
    sa.Column("create_title", sa.Text(), nullable=True),
    sa.Column("create_space_id", sa.String(64), nullable=True),
    sa.Column("creating_at", UTCDateTime(), nullable=True),
    sa.Column("page_id", sa.String(64), nullable=True),
    sa.Column("resumes", sa.Integer(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('running', 'failed')", name="status"),
)

digest_subscriptions = sa.Table(
    "digest_subscriptions",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("team_id", sa.String(32), nullable=False),
    sa.Column("channel_id", sa.String(32), nullable=False),
    sa.Column("space_key", sa.String(255), nullable=False),
    sa.Column("space_id", sa.String(64), nullable=False),
    sa.Column("schedule", sa.String(16), nullable=False),
    sa.Column("weekday", sa.SmallInteger(), nullable=True),
    sa.Column("hour", sa.SmallInteger(), nullable=False),
    sa.Column("minute", sa.SmallInteger(), nullable=False),
    sa.Column("tz", sa.String(64), nullable=False),
    sa.Column("created_by", sa.String(32), nullable=False, index=True),
    sa.Column("connection_id", sa.String(255), nullable=True),
    sa.Column("paused", sa.Boolean(), nullable=False, index=True),
    sa.Column("paused_reason", sa.Text(), nullable=True),
    sa.Column("last_delivered_at", UTCDateTime(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("team_id", "channel_id", "space_key"),
    sa.CheckConstraint("schedule IN ('daily', 'weekdays', 'weekly')", name="schedule"),
    sa.CheckConstraint(
        "(schedule = 'weekly' AND weekday BETWEEN 0 AND 6)"
        " OR (schedule <> 'weekly' AND weekday IS NULL)",
        name="weekday",
    ),
    sa.CheckConstraint("hour BETWEEN 0 AND 23 AND minute BETWEEN 0 AND 59", name="time_of_day"),
)

deliveries = sa.Table(
    # One row per delivery of any kind (digests now; channel notifications and DMs next): the
    # claim with its lease, attempts and backoff, and where the message went. `subject` is what
    # it is delivered for (a subscription id), `item` what is delivered (a period, an event).
    # Rows of a digest subscription are deleted with it (bot.store.subscriptions).
    "deliveries",
    metadata,
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("subject", sa.String(255), primary_key=True),
    sa.Column("item", sa.String(255), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("claimed_by", sa.String(255), nullable=True),
    sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
    sa.Column("channel_id", sa.String(32), nullable=True),
    sa.Column("message_ts", sa.String(32), nullable=True),
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('claimed', 'delivered', 'failed')", name="status"),
)

user_connections = sa.Table(
    "user_connections",
    metadata,
    sa.Column("team_id", sa.String(32), primary_key=True),
    sa.Column("slack_user_id", sa.String(32), primary_key=True),
    sa.Column("connection_id", sa.String(255), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("atlassian_account_id", sa.String(128), nullable=True),
    sa.Column("atlassian_name", sa.Text(), nullable=True),
    sa.Column("atlassian_email", sa.Text(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'active', 'stale')", name="status"),
)

personal_preferences = sa.Table(
    # A linked user's personal notification choices (bot.personal); deleted on disconnect.
    "personal_preferences",
    metadata,
    sa.Column("team_id", sa.String(32), primary_key=True),
    sa.Column("slack_user_id", sa.String(32), primary_key=True),
    sa.Column("mentions", sa.Boolean(), nullable=False),
    sa.Column("comments", sa.Boolean(), nullable=False),
    sa.Column("watching", sa.Boolean(), nullable=False),
    sa.Column("tasks", sa.Boolean(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

notify_subscriptions = sa.Table(
    # A channel following one space's activity (issue 13): one row per (channel, space), with
    # its filters. Ids are never reused (sqlite_autoincrement), so a new subscription never
    # inherits an old one's delivery claims; a removed subscription's claims go with it.
    "notify_subscriptions",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("team_id", sa.String(32), nullable=False),
    sa.Column("channel_id", sa.String(32), nullable=False),
    sa.Column("space_key", sa.String(255), nullable=False),
    sa.Column("space_id", sa.String(64), nullable=False),
    sa.Column("kinds", sa.String(64), nullable=False),  # e.g. "blogpost,comment,page"
    sa.Column("label", sa.String(255), nullable=True),
    sa.Column("under_page_id", sa.String(64), nullable=True),
    sa.Column("under_title", sa.Text(), nullable=True),
    sa.Column("edits", sa.String(8), nullable=False),
    sa.Column("created_by", sa.String(32), nullable=False, index=True),
    sa.Column("paused_reason", sa.Text(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("team_id", "channel_id", "space_key"),
    sa.CheckConstraint("edits IN ('all', 'major')", name="edits"),
    sqlite_autoincrement=True,
)

poll_watermarks = sa.Table(
    # Where each poll group (bot.polling) got to: it has seen everything before `watermark`.
    "poll_watermarks",
    metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("watermark", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

delivery_anchors = sa.Table(
    # Messages a feature comes back to (bot.delivery.anchors): a thread to reply under, a message
    # updated in place, a DM merged into; `names` are the deliveries the message carries.
    "delivery_anchors",
    metadata,
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("subject", sa.String(255), primary_key=True),
    sa.Column("topic", sa.String(255), primary_key=True),
    sa.Column("channel_id", sa.String(32), nullable=False),
    sa.Column("ts", sa.String(32), nullable=False),
    sa.Column("opened_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("names", sa.JSON(), nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),
    sa.Index(None, "kind", "updated_at"),
)
