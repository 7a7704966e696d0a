"""Telling one user something privately: an ephemeral in the channel, else a DM (after a modal
has closed, or when background work fails)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import message, section

log = logging.getLogger("bot.slack")


async def tell_user(
    client: AsyncWebClient, user_id: str, channel_id: str | None, text: str
) -> None:
    """An ephemeral message in `channel_id`, or a DM from the app when that is not possible
    (no channel, the app is not in it, a global shortcut)."""
    payload = message(text, [section(text)])
    if channel_id:
        try:
            await client.chat_postEphemeral(channel=channel_id, user=user_id, **payload)
            return
        except SlackApiError as exc:
            log.info(
                "ephemeral failed, sending a DM channel=%s error=%s",
                channel_id,
                exc.response.get("error"),
            )
    try:
        await client.chat_postMessage(channel=user_id, **payload)
    except SlackApiError as exc:
        log.warning("could not tell the user user=%s error=%s", user_id, exc.response.get("error"))
