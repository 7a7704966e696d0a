"""What delivery needs from Slack, owned here and implemented in ``bot.slack.delivery``."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.delivery.mark import DeliveryMark

__all__ = ["ChannelUnavailable", "MessageHistory", "PostFailed"]


class ChannelUnavailable(Exception):
    """The channel cannot receive messages until someone acts (archived, bot removed, gone)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # Slack's error code, e.g. "is_archived"


class PostFailed(Exception):
    """Posting failed for a reason that may pass (rate limit, outage): retry later."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class MessageHistory(Protocol):
    async def find_posted(
        self, channel_id: str, mark: DeliveryMark, since: datetime, *, thread_ts: str | None = None
    ) -> str | None:
        """The ts of a message posted since ``since`` that carries ``mark``, if any: in the
        channel, or among the replies to ``thread_ts``. When the history cannot be read: None
        (posting again beats losing the delivery)."""
        ...
