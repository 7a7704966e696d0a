"""What channel notifications need from the outside world, owned here and implemented elsewhere.

The database is bot.store (`Store.notify` is a `NotifySubscriptionStore`); Confluence, read as
one identity, is the Slack side's `SpaceReader` (bot.slack.notify); tests use recording fakes.
The poller's ports (the Slack poster and the Confluence reads) sit beside these.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.delivery import (
    ClaimKey,
    ClaimStore,
    DeliveryMark,
    DeliveryRecord,
    MessageHistory,
    PauseReason,
)
from bot.delivery.anchors import AnchorStore
from bot.notify.compose import NotifyMessage
from bot.notify.events import Activity, PageFacts
from bot.notify.models import NewNotifySubscription, NotifySubscription
from bot.polling import WatermarkStore

__all__ = [
    "COUNT_LIMIT",
    "EVENT_TYPE",
    "IDENTITY_LOST",
    "ActivitySource",
    "DeliveryRecords",
    "Identities",
    "Identity",
    "IdentityLost",
    "NotifyPoster",
    "NotifyStore",
    "NotifySubscriptionStore",
    "PageRef",
    "ReaderUnavailable",
    "Readers",
    "SourceAccessLost",
    "SourceUnavailable",
    "SpaceInfo",
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


# --------------------------------------------------------------------------- the poller's ports
# (bot.notify.service): Confluence reads, who may read, Slack posts, and the database.

# Slack message metadata event type that marks a posted notification (see bot.delivery.mark).
EVENT_TYPE = "confluence_notify"

# A Confluence identity: a Maton connection id, or None for the app's shared connection.
Identity = str | None


class IdentityLost:
    """The owner has no Confluence identity the poller may use (unlinked in `required` mode,
    or their link needs a reconnect)."""


IDENTITY_LOST = IdentityLost()


@dataclass(frozen=True, slots=True)
class SpaceInfo:
    id: str
    key: str
    name: str
    url: str  # absolute


class SourceUnavailable(Exception):
    """Confluence could not answer now (down, rate limited, timeout): try again next round."""


class SourceAccessLost(Exception):
    """The identity no longer works (revoked or expired): its subscriptions pause."""


class ActivitySource(Protocol):
    """Confluence as one identity sees it, read in the background lane. Raises
    SourceUnavailable or SourceAccessLost."""

    async def spaces(self, identity: Identity, space_ids: Sequence[str]) -> dict[str, SpaceInfo]:
        """The spaces that exist and this identity can see, by id."""
        ...

    async def activity(
        self, identity: Identity, space_keys: Sequence[str], since: datetime
    ) -> list[Activity]:
        """Pages, blog posts and comments in these spaces changed at or after `since` (to the
        minute, or a little earlier), each at its latest version: one query, paged."""
        ...

    async def page_facts(self, identity: Identity, page_ids: Sequence[str]) -> dict[str, PageFacts]:
        """Labels and ancestors of these pages or blog posts (those visible)."""
        ...

    async def count(
        self, identity: Identity, space_keys: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, int]:
        """How many pages, blog posts and comments changed in [start, end), by space key (up to
        one page of results: `COUNT_LIMIT`, reported as that many)."""
        ...


COUNT_LIMIT = 250


class Identities(Protocol):
    async def resolve(
        self, owners: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], Identity | IdentityLost]:
        """The identity each (team, Slack user) reads Confluence with (their own connection, or
        the shared one), or IDENTITY_LOST."""
        ...

    async def slack_users(self, team_id: str, account_ids: Collection[str]) -> dict[str, str]:
        """Slack user ids of the linked Atlassian accounts among `account_ids`."""
        ...


class NotifyPoster(MessageHistory, Protocol):
    """Posts notifications with their mark, finds them again, and tells owners of pauses."""

    async def post(
        self,
        channel_id: str,
        message: NotifyMessage,
        mark: DeliveryMark,
        *,
        thread_ts: str | None = None,
    ) -> str:
        """A new message, or a reply under `thread_ts` (paced per channel); returns its ts.
        Raises ChannelUnavailable or PostFailed (bot.delivery)."""
        ...

    async def update(
        self, channel_id: str, ts: str, message: NotifyMessage, mark: DeliveryMark
    ) -> str:
        """Rewrite message `ts` in place; `mark` names every delivery it now carries."""
        ...

    async def tell_paused(
        self, owner: str, reason: PauseReason, space_keys: Sequence[str], channel_id: str
    ) -> None:
        """A DM to `owner`: why notifications of these spaces to this channel paused and how to
        resume. Never raises."""
        ...


class DeliveryRecords(ClaimStore, Protocol):
    async def unfinished(self, keys: Sequence[ClaimKey]) -> list[DeliveryRecord]:
        """The records of those keys that exist and are not delivered."""
        ...


class NotifyStore(Protocol):
    """``bot.store.Store`` is one."""

    @property
    def notify(self) -> NotifySubscriptionStore: ...

    @property
    def deliveries(self) -> DeliveryRecords: ...

    @property
    def watermarks(self) -> WatermarkStore: ...

    @property
    def anchors(self) -> AnchorStore: ...


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
