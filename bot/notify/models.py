"""The channel notification subscription model (pure records).

The records are defined in bot.store.models (the store, a layer below, builds them) and are
re-exported here under the names this feature uses.
"""

from __future__ import annotations

from bot.store.models import (
    NOTIFY_DELIVERY_KIND,
    NOTIFY_KINDS,
    EditsFilter,
    NewNotifySubscription,
    NotifyFilters,
    NotifyKind,
    NotifySubscription,
)

__all__ = [
    "NOTIFY_DELIVERY_KIND",
    "NOTIFY_KINDS",
    "EditsFilter",
    "NewNotifySubscription",
    "NotifyFilters",
    "NotifyKind",
    "NotifySubscription",
]
