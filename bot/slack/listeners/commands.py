"""`/confluence` — ack at once, route, and do the work in the background."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.after_ack import after_ack
from bot.slack.blocks import mrkdwn_escape
from bot.slack.caller import Caller
from bot.slack.context import CommandContext
from bot.slack.help_text import slash_help
from bot.slack.listeners import digests, identity, write
from bot.slack.listeners.search import recent, search
from bot.slack.notify.commands import handle_notify
from bot.slack.personal.commands import handle_me, handle_tasks
from bot.slack.router import parse_command, parse_search
from bot.slack.services import Services

log = logging.getLogger("bot.slack.commands")

Handler = Callable[[Services, CommandContext, str], Coroutine[Any, Any, None]]


async def _search(services: Services, ctx: CommandContext, args: str, *, implicit: bool) -> None:
    query = parse_search(args)
    if not query.text:
        await ctx.respond(
            response_type="ephemeral",
            text="What should I search for? Try `/confluence search deploy checklist in:ENG`.",
        )
        return
    await search(services, ctx.respond, ctx.caller, query=query, hint_help=implicit)


async def _recent(services: Services, ctx: CommandContext, args: str) -> None:
    words = args.split()
    key = parse_search(f"in:{words[0]}").space_key if words else None
    if words and (key is None or len(words) > 1):
        await ctx.respond(
            response_type="ephemeral",
            text=f"`{mrkdwn_escape(args.strip()[:80])}` isn't a space key. "
            "Usage: `/confluence recent [SPACEKEY]`, e.g. `/confluence recent ENG`.",
        )
        return
    await recent(services, ctx.respond, ctx.caller, space_key=key)


HANDLERS: dict[str, Handler] = {
    "recent": _recent,
    "create": write.handle_create,
    "comment": write.handle_comment,
    "digest": digests.handle_digest,
    "notify": handle_notify,
    "connect": identity.handle_connect,
    "disconnect": identity.handle_disconnect,
    "whoami": identity.handle_whoami,
    "tasks": handle_tasks,
    "me": handle_me,
}


def register(app: AsyncApp, services: Services) -> None:
    @app.command("/confluence")
    async def on_command(
        ack: AsyncAck,
        command: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        parsed = parse_command(command.get("text", ""))
        caller = Caller.of(context, command)
        ctx = CommandContext(
            caller=caller, trigger_id=command.get("trigger_id"), respond=respond, client=client
        )
        log.info("command name=%s user=%s team=%s", parsed.name, caller.user_id, caller.team_id)
        if parsed.name == "help":
            await ack(response_type="ephemeral", text=slash_help())
            return
        await ack()
        if parsed.name == "search":
            job = _search(services, ctx, parsed.args, implicit=parsed.implicit)
        else:
            job = HANDLERS[parsed.name](services, ctx, parsed.args)
        after_ack(services, caller, job, name=f"command-{parsed.name}", respond=respond)
