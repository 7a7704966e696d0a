"""Read a whole thread with conversations.replies, joining public channels when needed."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.convert import thread_order
from bot.write.errors import ThreadUnavailable

log = logging.getLogger("bot.slack.thread_fetch")
PAGE_LIMIT = 200
INVITE_HINT = "I can't read this conversation. Invite me with `/invite @Confluence` and try again."


async def fetch_thread(
    client: AsyncWebClient, channel_id: str, thread_ts: str, *, limit: int = PAGE_LIMIT
) -> list[dict[str, Any]]:
    """Parent and every reply, oldest first. Joins a public channel once on `not_in_channel`;
    Slack's 429s are retried by the client's rate-limit handler."""
    try:
        return await _replies(client, channel_id, thread_ts, limit)
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error != "not_in_channel":
            raise _unavailable(channel_id, error) from exc
    await _join(client, channel_id)
    try:
        return await _replies(client, channel_id, thread_ts, limit)
    except SlackApiError as exc:
        raise _unavailable(channel_id, exc.response.get("error")) from exc


async def _replies(
    client: AsyncWebClient, channel_id: str, thread_ts: str, limit: int
) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        args: dict[str, Any] = {"channel": channel_id, "ts": thread_ts, "limit": limit}
        if cursor:
            args["cursor"] = cursor
        response = await client.conversations_replies(**args)
        messages.extend(m for m in response.get("messages") or [] if isinstance(m, dict))
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            break
    # A cursor page can repeat the parent; keep each ts once, oldest first (a non-numeric ts
    # last: the converter reports it as a bad message rather than failing the save).
    by_ts = {str(m.get("ts")): m for m in messages}
    return [dict(m) for m in thread_order(by_ts.values())]


async def _join(client: AsyncWebClient, channel_id: str) -> None:
    try:
        await client.conversations_join(channel=channel_id)
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.info("conversations.join failed channel=%s error=%s", channel_id, error)
        raise ThreadUnavailable(INVITE_HINT) from exc
    log.info("joined public channel to read a thread channel=%s", channel_id)


def _unavailable(channel_id: str, error: object) -> ThreadUnavailable:
    log.info("conversations.replies failed channel=%s error=%s", channel_id, error)
    if error == "missing_scope":  # DMs and group DMs: the app asks for channel scopes only
        return ThreadUnavailable(
            "I can save threads from channels only, not from direct or group messages."
        )
    if error in {"channel_not_found", "not_in_channel"}:
        return ThreadUnavailable(INVITE_HINT)
    if error == "thread_not_found":
        return ThreadUnavailable("That message or thread no longer exists.")
    return ThreadUnavailable(f"Slack would not give me the thread ({error}). Please try again.")
