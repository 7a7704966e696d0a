"""Slack ids -> names, cached for one save: one users.info per unique user, at most."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.convert import Names, References
from bot.slack.users import user_info, zone_name

log = logging.getLogger("bot.slack.names")
CONCURRENCY = 8


class SlackDirectory:
    """Looks people, channels and user groups up once each; failures are cached too."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._users: dict[str, asyncio.Task[dict[str, Any] | None]] = {}
        self._channels: dict[str, asyncio.Task[dict[str, Any] | None]] = {}
        self._groups: asyncio.Task[dict[str, str]] | None = None
        self._limit = asyncio.Semaphore(CONCURRENCY)
        self.users_info_calls = 0

    async def user(self, user_id: str) -> dict[str, Any] | None:
        task = self._users.get(user_id)
        if task is None:  # concurrent callers share one request
            task = asyncio.ensure_future(self._fetch_user(user_id))
            self._users[user_id] = task
        return await task

    async def _fetch_user(self, user_id: str) -> dict[str, Any] | None:
        async with self._limit:
            self.users_info_calls += 1
            return await user_info(self._client, user_id)

    async def display_name(self, user_id: str) -> str:
        user = await self.user(user_id)
        return display_name(user) if user else user_id

    async def tz(self, user_id: str) -> ZoneInfo:
        return ZoneInfo(zone_name(await self.user(user_id)))

    async def channel(self, channel_id: str) -> dict[str, Any] | None:
        task = self._channels.get(channel_id)
        if task is None:
            task = asyncio.ensure_future(self._fetch_channel(channel_id))
            self._channels[channel_id] = task
        return await task

    async def _fetch_channel(self, channel_id: str) -> dict[str, Any] | None:
        try:
            response = await self._client.conversations_info(channel=channel_id)
        except SlackApiError as exc:
            log.info(
                "conversations.info failed channel=%s error=%s",
                channel_id,
                exc.response.get("error"),
            )
            return None
        channel = response.get("channel")
        return channel if isinstance(channel, dict) else None

    async def channel_name(self, channel_id: str) -> str:
        channel = await self.channel(channel_id)
        name = channel.get("name") if channel else None
        return str(name) if name else channel_id

    async def _usergroups(self) -> dict[str, str]:
        if self._groups is None:
            self._groups = asyncio.ensure_future(self._fetch_groups())
        return await self._groups

    async def _fetch_groups(self) -> dict[str, str]:
        try:
            response = await self._client.usergroups_list()
        except SlackApiError as exc:
            log.info("usergroups.list failed error=%s", exc.response.get("error"))
            return {}
        groups = response.get("usergroups") or []
        return {str(g["id"]): str(g.get("handle") or g.get("name") or g["id"]) for g in groups}

    async def names_for(self, refs: References) -> Names:
        """Names for every id a conversion will meet."""
        users = sorted(refs.user_ids)
        channels = sorted(refs.channel_ids)
        user_names = await asyncio.gather(*(self.display_name(u) for u in users))
        channel_names = await asyncio.gather(*(self.channel_name(c) for c in channels))
        groups = await self._usergroups() if refs.usergroup_ids else {}
        return Names(
            users=dict(zip(users, user_names, strict=True)),
            usergroups={g: groups[g] for g in refs.usergroup_ids if g in groups},
            channels=dict(zip(channels, channel_names, strict=True)),
        )


def display_name(user: dict[str, Any]) -> str:
    """What Slack shows: display name, else real name, else the handle."""
    profile = user.get("profile") or {}
    for candidate in (
        profile.get("display_name"),
        profile.get("real_name"),
        user.get("real_name"),
        user.get("name"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return str(user.get("id") or "someone")
