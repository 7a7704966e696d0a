"""Persistence: SQLAlchemy 2 (async) on SQLite by default or PostgreSQL, migrated by Alembic."""

from bot.store.durability import DatabaseLost
from bot.store.models import (
    DIGEST_DELIVERY_KIND,
    NOTIFICATION_KINDS,
    ConnectionStatus,
    LastDelivered,
    NotificationPreferences,
    SaveClaim,
    Schedule,
    ScheduleKind,
    Subscription,
    ThreadPage,
    ThreadSave,
    UpsertResult,
    UserConnection,
)
from bot.store.store import Store
from bot.store.urls import DEFAULT_URL, normalize_url, redact_url

__all__ = [
    "DEFAULT_URL",
    "DIGEST_DELIVERY_KIND",
    "NOTIFICATION_KINDS",
    "ConnectionStatus",
    "DatabaseLost",
    "LastDelivered",
    "NotificationPreferences",
    "SaveClaim",
    "Schedule",
    "ScheduleKind",
    "Store",
    "Subscription",
    "ThreadPage",
    "ThreadSave",
    "UpsertResult",
    "UserConnection",
    "normalize_url",
    "redact_url",
]
