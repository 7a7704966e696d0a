"""App Home: how Confluence is connected, and the shortcuts; published when the tab opens."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import ConfluenceError
from bot.slack import blocks, help_text
from bot.slack.caller import Caller
from bot.slack.home import AppHome, Slot
from bot.slack.services import Services

log = logging.getLogger("bot.slack.home")


async def status_blocks(services: Services, caller: Caller) -> list[dict[str, Any]]:
    confluence = services.confluence
    mode = "through the Maton gateway" if confluence.via_gateway else "directly with an API token"
    try:
        site = await confluence.site_url()
        shown = blocks.link(site, site.removeprefix("https://"))
        status = f":white_check_mark: Connected to {shown} {mode}."
    except ConfluenceError as exc:
        log.warning("home: confluence unreachable %s error=%s", caller.about, exc)
        status = f":warning: Confluence is not reachable right now ({mode}). Searches may fail."
    return [blocks.header("Confluence for Slack"), blocks.section(status)]


def help_blocks() -> list[dict[str, Any]]:
    return [
        blocks.divider(),
        blocks.section(help_text.home_text()),
    ]


def register(app: AsyncApp, services: Services, home: AppHome) -> None:
    async def status(caller: Caller) -> Sequence[dict[str, Any]]:
        return await status_blocks(services, caller)

    async def shortcuts(caller: Caller) -> Sequence[dict[str, Any]]:
        return help_blocks()

    home.add(Slot.STATUS, status)
    home.add(Slot.HELP, shortcuts)

    @app.event("app_home_opened")
    async def on_home_opened(
        event: dict[str, Any],
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        if event.get("tab") not in (None, "home"):
            return
        caller = Caller.of(context, body).at(None)  # the Home tab: no channel to answer in
        services.background.spawn(home.publish(client, caller), name="home", about=caller.about)
