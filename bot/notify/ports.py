"""What channel notifications need from the outside world, owned here and implemented elsewhere.

The database is bot.store (`Store.notify` is a `NotifySubscriptionStore`); Confluence, read as
one identity, is the Slack side's `SpaceReader` (bot.slack.notify); tests use recording fakes.
The poller's ports (the Slack poster and the Confluence reads) sit beside these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.notify.models import NewNotifySubscription, NotifySubscription

__all__ = [
    "NotifySubscriptionStore",
    "PageRef",
    "ReaderUnavailable",
    "Readers",
    "SpaceReader",
    "SpaceRef",
]


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
        """Pause with `reason` (PauseReason.stored, or `manual_pause(user)`); None resumes."""
        ...

    async def forget_user(self, team_id: str, user_id: str) -> int:
        """Remove every subscription the user owns (they disconnected); returns how many."""
        ...


@dataclass(frozen=True, slots=True)
class SpaceRef:
    id: str
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class PageRef:
    id: str
    title: str
    space_id: str | None


class ReaderUnavailable(Exception):
    """That identity may not read Confluence now (must connect, finish connecting, reconnect;
    or Confluence refused its grant). `cause` is the original error, for the answer's words."""

    def __init__(self, cause: Exception) -> None:
        self.cause = cause
        super().__init__(f"reader unavailable: {type(cause).__name__}")


class SpaceReader(Protocol):
    """Confluence as one identity sees it. Raises ReaderUnavailable when that identity no longer
    works, and bot.confluence's ConfluenceError when Confluence cannot answer now."""

    async def site_url(self) -> str:
        """https://SITE.atlassian.net — the site the app reads."""
        ...

    async def spaces(self, keys: Sequence[str]) -> dict[str, SpaceRef]:
        """The spaces that exist and are visible, by upper-cased key; the others are absent."""
        ...

    async def page(self, page_id: str) -> PageRef | None:
        """The page (None: it does not exist, or this identity may not see it)."""
        ...

    async def label_in_use(self, label: str, space_keys: Sequence[str]) -> bool:
        """Whether anything in these spaces that this identity sees carries the label."""
        ...


class Readers(Protocol):
    async def reader_for(self, team_id: str, user_id: str) -> SpaceReader:
        """Confluence as this Slack user reads it: their own connection when linked, else the
        shared one (optional mode). Raises ReaderUnavailable when they may not read (required
        mode and not linked, a connection not finished or stale)."""
        ...
