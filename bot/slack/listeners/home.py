"""App Home: how Confluence is connected, and the shortcuts."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import ConfluenceError
from bot.slack import blocks as bk
from bot.slack import help_text
from bot.slack.listeners import digests, identity
from bot.slack.services import Services

log = logging.getLogger("bot.slack.home")


async def home_view(services: Services, team_id: str | None, user_id: str) -> dict[str, Any]:
    confluence = services.confluence
    mode = "through the Maton gateway" if confluence.via_gateway else "directly with an API token"
    try:
        site = await confluence.site_url()
        status = f":white_check_mark: Connected to {bk.link(site, site.removeprefix('https://'))} {mode}."
    except ConfluenceError as exc:
        log.warning("home: confluence unreachable user=%s error=%s", user_id, exc)
        status = f":warning: Confluence is not reachable right now ({mode}). Searches may fail."
    blocks = [
        bk.header("Confluence for Slack"),
        bk.section(status),
        *await identity.home_blocks(services, team_id, user_id),
        bk.divider(),
        bk.section(help_text.home_text()),
        *await digests.home_blocks(services, team_id, user_id),
    ]
    return bk.home(blocks)


def register(app: AsyncApp, services: Services) -> None:
    @app.event("app_home_opened")
    async def on_home_opened(
        event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("tab") not in (None, "home"):
            return
        user_id = event["user"]
        team_id = body.get("team_id")
        services.tasks.spawn(_publish(services, client, team_id, user_id), name="home")


async def _publish(
    services: Services, client: AsyncWebClient, team_id: str | None, user_id: str
) -> None:
    view = await home_view(services, team_id, user_id)
    await client.views_publish(user_id=user_id, view=view)
