"""Channel notifications of Confluence activity (issue 13): subscriptions and their commands.

Pure parts (the model, command parsing) do no I/O; the services work on the ports in `ports`.
"""

from bot.notify.models import (
    NOTIFY_DELIVERY_KIND,
    NOTIFY_KINDS,
    EditsFilter,
    NewNotifySubscription,
    NotifyFilters,
    NotifyKind,
    NotifySubscription,
)
from bot.notify.ports import NotifySubscriptionStore

__all__ = [
    "NOTIFY_DELIVERY_KIND",
    "NOTIFY_KINDS",
    "EditsFilter",
    "NewNotifySubscription",
    "NotifyFilters",
    "NotifyKind",
    "NotifySubscription",
    "NotifySubscriptionStore",
]
