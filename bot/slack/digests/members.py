"""What Slack says about the people and channels of a digest command."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("bot.slack.digests")

FALLBACK_TZ = "UTC"
GROUP_DM = "Digests go to channels, not direct or group messages: run this in a channel."


async def slack_user(client: AsyncWebClient, user_id: str) -> dict[str, Any]:
    """users.info's user object; empty (and a log line) when Slack does not answer."""
    try:
        response = await client.users_info(user=user_id)
    except SlackApiError as exc:
        log.warning("users.info failed user=%s error=%s", user_id, exc.response.get("error"))
        return {}
    user = response.get("user")
    return user if isinstance(user, dict) else {}


async def user_tz(client: AsyncWebClient, user_id: str) -> str:
    """The invoker's IANA zone from their Slack profile; UTC when Slack does not say."""
    tz = (await slack_user(client, user_id)).get("tz")
    if not isinstance(tz, str) or not tz:
        return FALLBACK_TZ
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return FALLBACK_TZ
    return tz


async def is_workspace_admin(client: AsyncWebClient, user_id: str) -> bool:
    user = await slack_user(client, user_id)
    return any(user.get(flag) is True for flag in ("is_admin", "is_owner", "is_primary_owner"))


async def ensure_member(client: AsyncWebClient, channel_id: str) -> str | None:
    """Join a public channel if needed; a sentence for the user when that is not possible."""
    invite = (
        ":wave: I'm not in this channel, and I can't join private channels myself. "
        "Invite me with `/invite @Confluence`, then run the command again."
    )
    try:
        info = await client.conversations_info(channel=channel_id)
    except SlackApiError as exc:
        if exc.response.get("error") == "channel_not_found":
            return invite  # a private channel the bot is not in looks like this
        if exc.response.get("error") == "missing_scope":
            return GROUP_DM  # group DMs need scopes this app does not ask for
        # Unknown: subscribe anyway; a delivery that cannot post pauses and tells the owner.
        log.warning("conversations.info failed channel=%s error=%s", channel_id, exc)
        return None
    channel = info.get("channel") or {}
    if channel.get("is_mpim") or channel.get("is_im"):
        return GROUP_DM
    if channel.get("is_archived"):
        return ":warning: This channel is archived, so it can't get digests."
    if channel.get("is_member"):
        return None
    if channel.get("is_private"):
        return invite
    try:
        await client.conversations_join(channel=channel_id)
    except SlackApiError as exc:
        log.warning("conversations.join failed channel=%s error=%s", channel_id, exc)
        return invite
    return None
