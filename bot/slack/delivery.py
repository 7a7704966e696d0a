"""Delivery's Slack side: marked messages (paced per channel) — new, thread replies or updated in
place —, finding them again in the channel or the thread, and DMs.

Implements ``bot.delivery``'s MessageHistory port and what each feature's poster needs; the
words of each feature's messages are its own (e.g. ``bot.slack.digests.poster``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.delivery import ChannelPacer, ChannelUnavailable, DeliveryMark, PostFailed

__all__ = ["CHANNEL_GONE", "CHANNEL_GONE_WHY", "SlackMessenger"]

log = logging.getLogger("bot.slack.delivery")

HISTORY_PAGES = 5  # how far back a taken-over delivery looks for its own message (x 200 messages)
# Errors after which posting can only work once someone acts (invite the bot, unarchive...).
CHANNEL_GONE = frozenset(
    {"channel_not_found", "is_archived", "not_in_channel", "restricted_action_read_only_channel"}
)
# Why a channel stopped taking posts, in the words of the DMs that tell an owner (by error code).
CHANNEL_GONE_WHY = {
    "is_archived": "the channel was archived",
    "not_in_channel": "I was removed from the channel",
    "channel_not_found": "I can no longer see the channel (removed, or it was deleted)",
}


class SlackMessenger:
    def __init__(self, client: AsyncWebClient, *, pacer: ChannelPacer | None = None) -> None:
        self._client = client
        self._pacer = pacer or ChannelPacer()

    async def post(
        self,
        channel_id: str,
        *,
        text: str,
        blocks: list[dict[str, Any]],
        mark: DeliveryMark,
        thread_ts: str | None = None,
    ) -> str:
        """Post a message carrying `mark` as its metadata (a reply when `thread_ts` is given);
        returns its ts.

        Raises ChannelUnavailable (someone must act first) or PostFailed (retry later)."""
        await self._pacer.wait(channel_id)
        return await self._sent(
            self._client.chat_postMessage(
                channel=channel_id,
                text=text,
                blocks=blocks,
                metadata=mark.metadata(),
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
            ),
        )

    async def update(
        self,
        channel_id: str,
        ts: str,
        *,
        text: str,
        blocks: list[dict[str, Any]],
        mark: DeliveryMark,
    ) -> str:
        """Replace message `ts` in place; its metadata becomes `mark`, which must name every
        delivery the message now carries (the earlier ones too). Returns its ts; raises as
        `post` does. History is read by when messages were first posted: a takeover looks for
        an updated message `since` that message's own ts."""
        await self._pacer.wait(channel_id)
        return await self._sent(
            self._client.chat_update(
                channel=channel_id, ts=ts, text=text, blocks=blocks, metadata=mark.metadata()
            ),
        )

    async def _sent(self, call: Awaitable[AsyncSlackResponse]) -> str:
        try:
            response = await call
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown_error"))
            if error in CHANNEL_GONE:
                raise ChannelUnavailable(error) from exc
            retry_after = (
                exc.response.headers.get("Retry-After") if error == "ratelimited" else None
            )
            raise PostFailed(error, retry_after=_seconds(retry_after)) from exc
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            # The message may or may not have been posted; the retry checks history first.
            raise PostFailed(type(exc).__name__) from exc
        return str(response["ts"])

    async def find_posted(
        self, channel_id: str, mark: DeliveryMark, since: datetime, *, thread_ts: str | None = None
    ) -> str | None:
        cursor: str | None = None
        oldest = f"{since.timestamp():.6f}"
        try:
            for _ in range(HISTORY_PAGES):
                if thread_ts is None:
                    response = await self._client.conversations_history(
                        channel=channel_id,
                        oldest=oldest,
                        include_all_metadata=True,
                        limit=200,
                        cursor=cursor,
                    )
                else:
                    response = await self._client.conversations_replies(
                        channel=channel_id,
                        ts=thread_ts,
                        oldest=oldest,
                        include_all_metadata=True,
                        limit=200,
                        cursor=cursor,
                    )
                for msg in response.get("messages") or []:
                    if mark.found_in(msg.get("metadata")):
                        return str(msg["ts"])
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            # Without history we cannot tell; posting again beats losing the delivery.
            log.warning(
                "delivery history check failed channel=%s thread=%s error=%s",
                channel_id,
                thread_ts,
                exc,
            )
        return None

    async def direct_message(self, user_id: str, text: str) -> None:
        """A DM from the app; a failure is logged, never raised (nothing else can be done)."""
        try:
            opened = await self._client.conversations_open(users=user_id)
            await self._client.chat_postMessage(channel=opened["channel"]["id"], text=text)
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("delivery could not DM user=%s error=%s", user_id, exc)


def _seconds(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
