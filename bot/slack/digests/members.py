"""What Slack says about the people and channels of a digest (or notify) command."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.users import user_info

log = logging.getLogger("bot.slack.digests")

GROUP_DM = "{What} go to channels, not direct or group messages: run this in a channel."


async def is_workspace_admin(client: AsyncWebClient, user_id: str) -> bool:
    user = await user_info(client, user_id) or {}
    return any(user.get(flag) is True for flag in ("is_admin", "is_owner", "is_primary_owner"))


async def ensure_member(
    client: AsyncWebClient, channel_id: str, *, what: str = "digests"
) -> str | None:
    """Join a public channel if needed; a sentence for the user when that is not possible
    (`what` the channel is to get, e.g. "digests")."""
    group_dm = GROUP_DM.format(What=what.capitalize())
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
            return group_dm  # group DMs need scopes this app does not ask for
        # Unknown: subscribe anyway; a delivery that cannot post pauses and tells the owner.
        log.warning("conversations.info failed channel=%s error=%s", channel_id, exc)
        return None
    channel = info.get("channel") or {}
    if channel.get("is_mpim") or channel.get("is_im"):
        return group_dm
    if channel.get("is_archived"):
        return f":warning: This channel is archived, so it can't get {what}."
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
