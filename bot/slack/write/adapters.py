"""The write use cases' ports, implemented with the Slack Web API and the app's services."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import ConfluenceClient
from bot.slack.blocks import link
from bot.slack.failure_notice import failure_text
from bot.slack.identity import IdentityRequired
from bot.slack.private_message import tell_user
from bot.slack.services import Services
from bot.slack.write.files import download_all
from bot.slack.write.names import SlackDirectory
from bot.slack.write.thread_fetch import fetch_thread
from bot.write import NotAllowed, WriteService
from bot.write.files import FileSkipped, SlackFile

log = logging.getLogger("bot.slack.write")


class ServicesAccess:
    """Acts for each user as the identity policy says (bot.slack.identity)."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def client_for(self, team_id: str | None, user_id: str) -> ConfluenceClient:
        try:
            return await self._services.confluence_for(team_id, user_id)
        except IdentityRequired as exc:  # kept as the cause: the answer words it (see answers)
            raise NotAllowed(exc.user_text) from exc

    async def attribution_for(
        self, team_id: str | None, user_id: str, user_name: str
    ) -> str | None:
        return await self._services.attribution_for(team_id, user_id, user_name)


class SlackThreadSource:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def messages(self, channel_id: str, thread_ts: str) -> list[dict[str, Any]]:
        return await fetch_thread(self._client, channel_id, thread_ts)

    async def permalink(self, channel_id: str, ts: str) -> str | None:
        try:
            response = await self._client.chat_getPermalink(channel=channel_id, message_ts=ts)
        except SlackApiError as exc:
            log.info("chat.getPermalink failed error=%s", exc.response.get("error"))
            return None
        value = response.get("permalink")
        return str(value) if value else None


class SlackFileSource:
    """Files from url_private with the bot token (only ever to Slack's own hosts)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def download(self, files: Sequence[SlackFile]) -> dict[str, bytes | FileSkipped]:
        return await download_all(files, self._client.token or "", api_url=self._client.base_url)


class SlackThreadReply:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def announce(
        self, channel_id: str, thread_ts: str, title: str, url: str, *, created: bool
    ) -> None:
        verb = "saved to" if created else "updated in"
        text = f":page_facing_up: This thread is {verb} Confluence: {link(url, title)}"
        try:
            await self._client.chat_postMessage(
                channel=channel_id, thread_ts=thread_ts, text=text, unfurl_links=False
            )
        except SlackApiError as exc:
            log.info(
                "could not post the page link in the thread error=%s", exc.response.get("error")
            )


class SlackNotifier:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def tell(self, user_id: str, channel_id: str | None, text: str) -> None:
        await tell_user(self._client, user_id, channel_id, text)

    async def tell_failure(self, user_id: str, channel_id: str | None) -> None:
        await tell_user(self._client, user_id, channel_id, failure_text())


def write_service(services: Services, client: AsyncWebClient) -> WriteService:
    """The write use cases for one request (or one sweep), with `client`'s bot token."""
    return WriteService.build(
        access=ServicesAccess(services),
        store=services.store,
        source=SlackThreadSource(client),
        files=SlackFileSource(client),
        directory=lambda: SlackDirectory(client),
        reply=SlackThreadReply(client),
        notifier=SlackNotifier(client),
        background=services.background,
    )
