"""What the digest service needs from the outside world, owned here and implemented elsewhere.

The Confluence and Slack adapters live in ``bot.slack.digests``, the database is ``bot.store``;
tests use recording fakes. Claims, the crash-window mark and pausing are ``bot.delivery``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from bot.delivery import ClaimStore, DeliveryMark, MessageHistory, PauseReason
from bot.digest.compose import DigestMessage
from bot.store import Subscription

__all__ = [
    "EVENT_TYPE",
    "BlogSource",
    "Clock",
    "DigestPoster",
    "DigestStore",
    "DigestSubscriptions",
    "SourceAccessLost",
    "SourcePost",
    "SourceUnavailable",
    "SpaceInfo",
    "SystemClock",
]

# Slack message metadata event type that marks a posted digest (see bot.delivery.mark).
EVENT_TYPE = "confluence_digest"


# --------------------------------------------------------------------------- Confluence side


@dataclass(frozen=True, slots=True)
class SpaceInfo:
    id: str
    key: str
    name: str
    blog_url: str  # absolute


@dataclass(frozen=True, slots=True)
class SourcePost:
    id: str
    space_id: str
    title: str
    url: str  # absolute
    author_id: str | None
    created_at: datetime  # aware
    excerpt: str = ""  # plain text


class SourceUnavailable(Exception):
    """Confluence could not answer now (down, rate limited, timeout): retry later."""


class SourceAccessLost(Exception):
    """The subscriber's Confluence identity no longer works (revoked or expired): they must act."""


class BlogSource(Protocol):
    async def spaces(
        self, connection_id: str | None, space_ids: Sequence[str]
    ) -> dict[str, SpaceInfo]:
        """The spaces that exist and are visible, by id; deleted or hidden ones are absent."""
        ...

    async def posts_since(
        self, connection_id: str | None, space_ids: Sequence[str], since: datetime
    ) -> list[SourcePost]:
        """Blog posts in these spaces created at or after ``since``, newest first."""
        ...

    async def display_names(
        self, connection_id: str | None, account_ids: Sequence[str]
    ) -> dict[str, str]:
        """Display names by account id; unknown ids are absent."""
        ...


# --------------------------------------------------------------------------- Slack side


class DigestPoster(MessageHistory, Protocol):
    """Posts digests (with their mark) and finds them again (see bot.delivery.mark)."""

    async def post(self, channel_id: str, message: DigestMessage, mark: DeliveryMark) -> str:
        """Post the digest (paced per channel); returns the message ts.

        Raises ChannelUnavailable or PostFailed (bot.delivery)."""
        ...

    async def notify_paused(
        self, creator: str, reason: PauseReason, space_keys: Sequence[str], channel_id: str
    ) -> None:
        """Tell the subscriptions' creator privately why their digest of these spaces to this
        channel stopped and how to resume it. Never raises."""
        ...


# --------------------------------------------------------------------------- the database


class DigestSubscriptions(Protocol):
    async def list_active(self) -> list[Subscription]: ...

    async def list_by_channel(self, team_id: str, channel_id: str) -> list[Subscription]: ...

    async def pause(
        self, subscription_id: int, reason: str, now: datetime | None = None
    ) -> bool: ...


class DigestStore(Protocol):
    """The subscriptions, and the claims that deliver them (``bot.store.Store`` is one). A
    subscription's window moves forward with its delivery's record (``bot.store.LastDelivered``,
    a followup: see bot.delivery)."""

    @property
    def subscriptions(self) -> DigestSubscriptions: ...

    @property
    def deliveries(self) -> ClaimStore: ...


# --------------------------------------------------------------------------- time


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
