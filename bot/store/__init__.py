"""Persistence: SQLAlchemy 2 (async) on SQLite by default or PostgreSQL, migrated by Alembic."""

from bot.store.durability import DatabaseLost
from bot.store.models import (
    Claim,
    ConnectionStatus,
    Delivery,
    DeliveryStatus,
    Schedule,
    ScheduleKind,
    Subscription,
    ThreadPage,
    UpsertResult,
    UserConnection,
)
from bot.store.store import Store
from bot.store.urls import DEFAULT_URL, normalize_url, redact_url

__all__ = [
    "DEFAULT_URL",
    "Claim",
    "ConnectionStatus",
    "DatabaseLost",
    "Delivery",
    "DeliveryStatus",
    "Schedule",
    "ScheduleKind",
    "Store",
    "Subscription",
    "ThreadPage",
    "UpsertResult",
    "UserConnection",
    "normalize_url",
    "redact_url",
]
