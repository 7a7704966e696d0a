"""The notify feature's NotifyPoster port on Slack: marked messages (new, thread replies, updated
in place), found again by their mark, and the DM that tells an owner their notifications paused."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import ChannelPacer, DeliveryMark, PauseReason
from bot.notify.compose import NotifyMessage
from bot.slack.delivery import SlackMessenger
from bot.slack.notify.answers import paused_dm

__all__ = ["SlackNotifyPoster"]


class SlackNotifyPoster:
    def __init__(self, client: AsyncWebClient, *, pacer: ChannelPacer | None = None) -> None:
        self._slack = SlackMessenger(client, pacer=pacer)

    async def post(
        self,
        channel_id: str,
        message: NotifyMessage,
        mark: DeliveryMark,
        *,
        thread_ts: str | None = None,
    ) -> str:
        return await self._slack.post(
            channel_id, text=message.text, blocks=message.blocks, mark=mark, thread_ts=thread_ts
        )

    async def update(
        self, channel_id: str, ts: str, message: NotifyMessage, mark: DeliveryMark
    ) -> str:
        return await self._slack.update(
            channel_id, ts, text=message.text, blocks=message.blocks, mark=mark
        )

    async def find_posted(
        self, channel_id: str, mark: DeliveryMark, since: datetime, *, thread_ts: str | None = None
    ) -> str | None:
        return await self._slack.find_posted(channel_id, mark, since, thread_ts=thread_ts)

    async def tell_paused(
        self, owner: str, reason: PauseReason, space_keys: Sequence[str], channel_id: str
    ) -> None:
        keys = list(dict.fromkeys(space_keys))  # one label per space, however many deliveries
        await self._slack.direct_message(owner, paused_dm(reason, keys, channel_id))
