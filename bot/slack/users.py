"""What Slack's users.info says about one person: their user object and time zone."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("bot.slack.users")

FALLBACK_ZONE = "UTC"


async def user_info(client: AsyncWebClient, user_id: str) -> dict[str, Any] | None:
    """users.info's user object; None (and a log line) when Slack does not answer."""
    try:
        response = await client.users_info(user=user_id)
    except SlackApiError as exc:
        log.warning("users.info failed user=%s error=%s", user_id, exc.response.get("error"))
        return None
    user = response.get("user")
    return user if isinstance(user, dict) else None


def zone_name(user: Mapping[str, Any] | None) -> str:
    """The IANA zone of a users.info user; UTC when Slack names none, or one unknown here."""
    name = user.get("tz") if user else None
    if not isinstance(name, str) or not name:
        return FALLBACK_ZONE
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return FALLBACK_ZONE
    return name
