"""App Home: how Confluence is connected, and the shortcuts; published when the tab opens."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import ConfluenceError
from bot.slack import blocks, help_text
from bot.slack.home import AppHome, Slot
from bot.slack.services import Services

log = logging.getLogger("bot.slack.home")


async def status_blocks(services: Services, user_id: str) -> list[dict[str, Any]]:
    confluence = services.confluence
    mode = "through the Maton gateway" if confluence.via_gateway else "directly with an API token"
    try:
        site = await confluence.site_url()
        status = f":white_check_mark: Connected to {blocks.link(site, site.removeprefix('https://'))} {mode}."
    except ConfluenceError as exc:
        log.warning("home: confluence unreachable user=%s error=%s", user_id, exc)
        status = f":warning: Confluence is not reachable right now ({mode}). Searches may fail."
    return [blocks.header("Confluence for Slack"), blocks.section(status)]


def help_blocks() -> list[dict[str, Any]]:
    return [
        blocks.divider(),
        blocks.section(help_text.home_text()),
    ]


def register(app: AsyncApp, services: Services, home: AppHome) -> None:
    async def status(team_id: str | None, user_id: str) -> Sequence[dict[str, Any]]:
        return await status_blocks(services, user_id)

    async def shortcuts(team_id: str | None, user_id: str) -> Sequence[dict[str, Any]]:
        return help_blocks()

    home.add(Slot.STATUS, status)
    home.add(Slot.HELP, shortcuts)

    @app.event("app_home_opened")
    async def on_home_opened(
        event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("tab") not in (None, "home"):
            return
        user_id = event["user"]
        team_id = body.get("team_id")
        services.background.spawn(home.publish(client, team_id, user_id), name="home")
