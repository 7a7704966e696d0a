"""Why a subscription stops being delivered until its owner acts, and whom to tell.

The reasons are shared by every feature that delivers to a channel; the words of the direct
message that tells the owner belong to each feature's Slack side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.delivery.claims import Claim

__all__ = ["AccessLost", "ChannelGone", "PauseReason", "Paused", "SourceGone", "by_recipient"]


@dataclass(frozen=True, slots=True)
class ChannelGone:
    """Slack refused the channel for good (archived, bot removed, deleted)."""

    code: str  # Slack's error code, e.g. "is_archived"

    @property
    def stored(self) -> str:
        return f"channel: {self.code}"


@dataclass(frozen=True, slots=True)
class SourceGone:
    """What the subscription follows (a space) was deleted, or can no longer be seen."""

    @property
    def stored(self) -> str:
        return "space deleted"


@dataclass(frozen=True, slots=True)
class AccessLost:
    """The subscriber's Confluence identity no longer works (revoked or expired)."""

    @property
    def stored(self) -> str:
        return "confluence access lost"


# `stored` is what the database keeps as the pause reason (and shows in listings).
PauseReason = ChannelGone | SourceGone | AccessLost


@dataclass(frozen=True, slots=True)
class Paused:
    """One paused delivery: its claim, who set the subscription up, where, and its name."""

    claim: Claim
    owner: str  # the Slack user told by DM
    channel_id: str
    label: str  # how the message names it, e.g. a space key


def by_recipient(paused: Iterable[Paused]) -> dict[tuple[str, str], list[str]]:
    """(owner, channel) -> labels, in order: one message per owner and channel."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for item in paused:
        grouped.setdefault((item.owner, item.channel_id), []).append(item.label)
    return grouped
