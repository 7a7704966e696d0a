"""What channel notifications need from the outside world, owned here and implemented elsewhere.

The database is bot.store (`Store.notify` is a `NotifySubscriptionStore`); tests use recording
fakes. The poller's ports (the Slack poster and the Confluence reads) sit beside these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.notify.models import NewNotifySubscription, NotifySubscription

__all__ = ["NotifySubscriptionStore"]


class NotifySubscriptionStore(Protocol):
    async def add(self, rows: Sequence[NewNotifySubscription]) -> list[NotifySubscription]:
        """Save all rows in one transaction (nothing half-saved). An existing (team, channel,
        space) subscription is replaced: new filters and owner, unpaused, same id."""
        ...

    async def get(self, subscription_id: int) -> NotifySubscription | None: ...

    async def in_channel(self, team_id: str, channel_id: str) -> list[NotifySubscription]: ...

    async def by_user(self, team_id: str, user_id: str) -> list[NotifySubscription]:
        """The subscriptions `user_id` set up (owns), in every channel."""
        ...

    async def active(self) -> list[NotifySubscription]:
        """Every unpaused subscription (the poller's input)."""
        ...

    async def remove(
        self, team_id: str, channel_id: str, space_key: str | None
    ) -> list[NotifySubscription]:
        """Unsubscribe the channel from one space (None: all); returns what was removed."""
        ...

    async def set_paused(self, ids: Sequence[int], reason: str | None) -> None:
        """Pause with `reason` (PauseReason.stored, or "paused by <user>"); None resumes."""
        ...

    async def forget_user(self, team_id: str, user_id: str) -> int:
        """Remove every subscription the user owns (they disconnected); returns how many."""
        ...
