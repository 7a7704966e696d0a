"""The feed's names in the database, and forgetting them: the claims' kinds ("personal" for
events, "personal-poll" for the one poll per user and interval), a user's watermark key and DM
anchor key, all under the subject "<team>:<user>"."""

from __future__ import annotations

import logging

from bot.delivery.anchors import AnchorKey
from bot.personal.feed.ports import FeedStore

__all__ = [
    "ANCHOR_KIND",
    "DELIVERY_KIND",
    "POLL_KIND",
    "FeedMemory",
    "anchor_key",
    "watermark_key",
]

log = logging.getLogger("bot.personal.feed")

DELIVERY_KIND = "personal"
POLL_KIND = "personal-poll"
ANCHOR_KIND = "personal-dm"


def watermark_key(subject: str) -> str:
    return f"personal:{subject}"


def anchor_key(subject: str) -> AnchorKey:
    return AnchorKey(ANCHOR_KIND, subject, "feed")


class FeedMemory:
    """What the feed keeps for a user, forgotten when they disconnect (bot.personal's FeedState
    port): their watermark, the DM being merged into, their claims (a user who links again
    starts afresh, from the moment they do)."""

    def __init__(self, store: FeedStore) -> None:
        self._store = store

    async def forget(self, team_id: str, user_id: str) -> None:
        subject = f"{team_id}:{user_id}"
        await self._store.watermarks.delete([watermark_key(subject)])
        await self._store.anchors.delete_subject(ANCHOR_KIND, subject)
        removed = await self._store.deliveries.delete_subject([DELIVERY_KIND, POLL_KIND], subject)
        log.info("personal feed forgotten user=%s team=%s claims=%d", user_id, team_id, removed)
