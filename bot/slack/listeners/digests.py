"""`/confluence digest ...`, the digest section of App Home and its Unsubscribe buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.digest import (
    USAGE,
    HelpCommand,
    ListCommand,
    NowCommand,
    ParseError,
    SubscribeCommand,
    UnsubscribeCommand,
    parse_digest_command,
)
from bot.slack import failure_notice
from bot.slack.caller import Caller
from bot.slack.context import CommandContext
from bot.slack.digests.answers import say
from bot.slack.digests.home import UNSUBSCRIBE_ACTION, home_blocks, unsubscribe_from_home
from bot.slack.digests.manage import list_digests, unsubscribe
from bot.slack.digests.now import post_now
from bot.slack.digests.subscribe import subscribe
from bot.slack.home import AppHome, Slot
from bot.slack.services import Services


async def handle_digest(services: Services, ctx: CommandContext, args: str) -> None:
    try:
        command = parse_digest_command(args)
    except ParseError as exc:
        await say(ctx, f":warning: {exc}")
        return
    if isinstance(command, HelpCommand):
        await say(ctx, USAGE)
        return
    channel_id = ctx.caller.channel_id
    if not channel_id or channel_id.startswith("D"):
        await say(ctx, "Digests go to channels: run this in the channel that should get them.")
        return
    if isinstance(command, SubscribeCommand):
        await subscribe(services, ctx, channel_id, command)
    elif isinstance(command, UnsubscribeCommand):
        await unsubscribe(services, ctx, channel_id, command)
    elif isinstance(command, ListCommand):
        await list_digests(services, ctx, channel_id)
    elif isinstance(command, NowCommand):
        await post_now(services, ctx, channel_id, command)


def register(app: AsyncApp, services: Services, home: AppHome) -> None:
    """The App Home section and its Unsubscribe buttons."""

    async def section(caller: Caller) -> list[dict[str, Any]]:
        return await home_blocks(services, caller)

    home.add(Slot.FEATURES, section)

    @app.action(UNSUBSCRIBE_ACTION)
    async def on_unsubscribe(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await ack()
        caller = Caller.of(context, body).at(None)  # a button on App Home: no channel
        value = str(body["actions"][0].get("value") or "")  # the subscription's id
        services.background.spawn(
            unsubscribe_from_home(services, home, client, caller, value),
            name="digest-unsubscribe",
            about=f"{caller.about} subscription={value}",
            on_error=failure_notice.privately(client, caller.user_id, caller.channel_id),
        )
