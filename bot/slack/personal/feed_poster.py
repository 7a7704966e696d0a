"""The feed's FeedPoster port on Slack: the DM channel (conversations.open, kept per process),
marked DMs posted and updated in place, found again, and the one "paused" DM."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import ChannelPacer, DeliveryMark, PostFailed
from bot.personal.feed import FeedEvent
from bot.slack.delivery import SlackMessenger
from bot.slack.personal.feed_view import PAUSED, dm_blocks, dm_text

__all__ = ["GONE_MESSAGE", "SlackFeedPoster"]

# chat.update's answers for a message that can no longer be updated.
GONE_MESSAGE = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})


class SlackFeedPoster:
    def __init__(self, client: AsyncWebClient, *, pacer: ChannelPacer | None = None) -> None:
        self._client = client
        self._slack = SlackMessenger(client, pacer=pacer)
        self._channels: dict[str, str] = {}

    async def dm_channel(self, user_id: str) -> str:
        found = self._channels.get(user_id)
        if found is not None:
            return found
        try:
            opened = await self._client.conversations_open(users=user_id)
        except SlackApiError as exc:
            raise PostFailed(str(exc.response.get("error", "unknown_error"))) from exc
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            raise PostFailed(type(exc).__name__) from exc
        channel = str(opened["channel"]["id"])
        self._channels[user_id] = channel
        return channel

    async def post(self, channel_id: str, items: Sequence[FeedEvent], mark: DeliveryMark) -> str:
        return await self._slack.post(
            channel_id, text=dm_text(items), blocks=dm_blocks(items), mark=mark
        )

    async def update(
        self, channel_id: str, ts: str, items: Sequence[FeedEvent], mark: DeliveryMark
    ) -> str:
        """Update DM `ts` in place; when it can no longer be updated (the user deleted it), post
        the items anew (the returned ts says which)."""
        try:
            return await self._slack.update(
                channel_id, ts, text=dm_text(items), blocks=dm_blocks(items), mark=mark
            )
        except PostFailed as exc:
            if exc.reason not in GONE_MESSAGE:
                raise
        return await self.post(channel_id, items, mark)

    async def find_posted(
        self, channel_id: str, mark: DeliveryMark, since: datetime, *, thread_ts: str | None = None
    ) -> str | None:
        return await self._slack.find_posted(channel_id, mark, since, thread_ts=thread_ts)

    async def tell_paused(self, user_id: str) -> None:
        await self._slack.direct_message(user_id, PAUSED)
