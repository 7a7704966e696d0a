"""Channel notifications: the App Home section and its menu (the subcommand is in
bot.slack.notify.commands)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.after_ack import after_ack
from bot.slack.caller import Caller
from bot.slack.home import AppHome, Slot
from bot.slack.notify.home import MANAGE_ACTION, home_blocks, manage_from_home
from bot.slack.services import Services


def register(app: AsyncApp, services: Services, home: AppHome) -> None:
    """After the digests (same slot): the user's channel notifications, each with its menu."""

    async def section(caller: Caller) -> list[dict[str, Any]]:
        return await home_blocks(services, caller)

    home.add(Slot.FEATURES, section)

    @app.action(MANAGE_ACTION)
    async def on_manage(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await ack()
        caller = Caller.of(context, body).at(None)  # App Home: no channel
        action = body["actions"][0]
        value = str((action.get("selected_option") or {}).get("value") or "")
        job = manage_from_home(services, home, client, caller, value)
        after_ack(services, caller, job, name="notify-manage", client=client)
