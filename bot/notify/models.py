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
    "PAUSED_BY",
    "EditsFilter",
    "NewNotifySubscription",
    "NotifyFilters",
    "NotifyKind",
    "NotifySubscription",
    "manual_pause",
    "paused_by",
]

# How a pause someone asked for is stored (the poller's pauses store PauseReason.stored).
PAUSED_BY = "paused by "


def manual_pause(user_id: str) -> str:
    """The stored reason of `notify pause` run by `user_id`."""
    return f"{PAUSED_BY}{user_id}"


def paused_by(reason: str | None) -> str | None:
    """The Slack user who paused it with `notify pause`; None for a pause the app made."""
    if reason is None or not reason.startswith(PAUSED_BY):
        return None
    return reason.removeprefix(PAUSED_BY) or None
