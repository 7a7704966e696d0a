"""What the digest service needs from the outside world, owned here and implemented elsewhere.

The Slack and Confluence adapters live in ``bot.slack.digest_adapters``; tests use recording fakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from bot.digest.compose import DigestMessage

__all__ = [
    "EVENT_TYPE",
    "BlogSource",
    "ChannelUnavailable",
    "Clock",
    "DigestMark",
    "DigestPoster",
    "PostFailed",
    "SourceAccessLost",
    "SourcePost",
    "SourceUnavailable",
    "SpaceInfo",
    "SystemClock",
]

# Slack message metadata event type that marks a posted digest (see DigestMark).
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


@dataclass(frozen=True, slots=True)
class DigestMark:
    """Names the claims a digest message delivers; sent as Slack message metadata so that a
    process taking over an expired claim can see that the digest was already posted."""

    claims: tuple[str, ...]  # "<subscription id>@<period key>"

    @staticmethod
    def claim_name(subscription_id: int, period_key: str) -> str:
        return f"{subscription_id}@{period_key}"

    def payload(self) -> dict[str, object]:
        return {"claims": list(self.claims)}

    def matches(self, payload: object) -> bool:
        if not isinstance(payload, dict):
            return False
        posted = payload.get("claims")
        return isinstance(posted, list) and bool(set(self.claims) & {str(c) for c in posted})


class ChannelUnavailable(Exception):
    """The channel cannot receive the digest until someone acts (archived, bot removed, gone)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # Slack's error code, e.g. "is_archived"


class PostFailed(Exception):
    """Posting failed for a reason that may pass (rate limit, outage): retry later."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class DigestPoster(Protocol):
    async def post(self, channel_id: str, message: DigestMessage, mark: DigestMark) -> str:
        """Post the digest (paced per channel); returns the message ts.

        Raises ChannelUnavailable or PostFailed."""
        ...

    async def find_posted(self, channel_id: str, mark: DigestMark, since: datetime) -> str | None:
        """The ts of a message posted since ``since`` that carries ``mark``, if any."""
        ...

    async def notify(self, user_id: str, text: str) -> None:
        """Tell a user privately (a DM from the app). Never raises."""
        ...


# --------------------------------------------------------------------------- time


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
