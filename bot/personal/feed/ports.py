"""What the personal feed needs from the outside world, owned here and implemented elsewhere:
the linked users (``bot.slack.personal.feed_build`` over bot.store), Confluence as each of them
(``bot.personal.feed.confluence``), Slack DMs (``bot.slack.personal.feed_poster``) and the
database (``bot.store.Store``: claims, watermarks, anchors)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

from bot.delivery import ClaimStore, DeliveryMark, MessageHistory
from bot.delivery.anchors import AnchorStore
from bot.personal.feed.events import FeedEvent, Hit, Ownership, TaskHit
from bot.personal.ports import Me
from bot.personal.preferences import Preferences
from bot.polling import WatermarkStore

__all__ = [
    "EVENT_TYPE",
    "Activity",
    "FeedPoster",
    "FeedSource",
    "FeedStore",
    "FeedUser",
    "FeedUsers",
]

# Slack message metadata event type of the feed's DMs (see bot.delivery.mark).
EVENT_TYPE = "confluence_personal"

LinkStatus = Literal["active", "stale"]


@dataclass(frozen=True, slots=True)
class FeedUser:
    me: Me
    status: LinkStatus
    preferences: Preferences

    @property
    def subject(self) -> str:
        """How the feed names this user in claims, anchors and watermarks: "<team>:<user>"."""
        return f"{self.me.team_id}:{self.me.user_id}"


class FeedUsers(Protocol):
    async def linked(self) -> list[FeedUser]:
        """Every user with a connection of their own (active or stale) and an Atlassian account,
        with their notification preferences."""
        ...

    async def lost(self, me: Me, error: Exception) -> bool:
        """Confluence refused `me`'s connection: mark it stale when it is dead (True)."""
        ...


@dataclass(frozen=True, slots=True)
class Activity:
    """What one poll found for one user."""

    hits: Sequence[Hit] = ()
    tasks: Sequence[TaskHit] = ()
    ownership: Ownership = field(default_factory=Ownership)
    today: date | None = None  # the user's day, when due dates were read
    requests: int = 0  # Confluence requests the poll sent


class FeedSource(Protocol):
    async def poll(
        self, me: Me, since: datetime, until: datetime, preferences: Preferences
    ) -> Activity:
        """Read, as `me`, what changed since `since` of the kinds `preferences` wants. Raises
        bot.confluence's ConfluenceError."""
        ...


class FeedPoster(MessageHistory, Protocol):
    async def dm_channel(self, user_id: str) -> str:
        """The app's DM channel with the user (opened once). Raises PostFailed."""
        ...

    async def post(self, channel_id: str, items: Sequence[FeedEvent], mark: DeliveryMark) -> str:
        """Post a DM showing `items`; returns its ts. Raises ChannelUnavailable or PostFailed."""
        ...

    async def update(
        self, channel_id: str, ts: str, items: Sequence[FeedEvent], mark: DeliveryMark
    ) -> str:
        """Show `items` in DM `ts` instead; raises as `post` does."""
        ...

    async def tell_paused(self, user_id: str) -> None:
        """Tell the user their feed paused (connection stale). Never raises."""
        ...


class ForgettingClaims(ClaimStore, Protocol):
    async def delete_subject(self, kinds: Sequence[str], subject: str) -> int:
        """Delete the claims of these kinds for `subject` (a user who disconnected)."""
        ...


class FeedStore(Protocol):
    @property
    def deliveries(self) -> ForgettingClaims: ...

    @property
    def watermarks(self) -> WatermarkStore: ...

    @property
    def anchors(self) -> AnchorStore: ...
