"""`/confluence` — ack at once, route, and do the work in the background."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.slack.listeners.search import recent, search
from bot.slack.router import HELP_TEXT, parse_command, parse_search
from bot.slack.services import Services

log = logging.getLogger("bot.slack.commands")

NOT_YET = {
    "create": "Creating pages",
    "comment": "Commenting on pages",
    "digest": "Blog post digests",
    "connect": "Connecting your own Confluence account",
    "disconnect": "Disconnecting your Confluence account",
    "whoami": "Showing your Confluence identity",
}


def register(app: AsyncApp, services: Services) -> None:
    @app.command("/confluence")
    async def on_command(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        parsed = parse_command(command.get("text", ""))
        user_id = command.get("user_id")
        team_id = command.get("team_id")
        log.info("command name=%s user=%s team=%s", parsed.name, user_id, team_id)
        if parsed.name == "help":
            await ack(response_type="ephemeral", text=HELP_TEXT)
            return
        if parsed.name in NOT_YET:
            await ack(
                response_type="ephemeral",
                text=f"{NOT_YET[parsed.name]} is not available yet in this version of the app. "
                "See `/confluence help` for what works today.",
            )
            return
        await ack()
        if parsed.name == "search":
            query = parse_search(parsed.args)
            if not query.text:
                await respond(
                    response_type="ephemeral",
                    text="What should I search for? Try `/confluence search deploy checklist in:ENG`.",
                )
                return
            services.tasks.spawn(
                search(
                    services,
                    respond,
                    team_id=team_id,
                    user_id=user_id,
                    query=query,
                    hint_help=parsed.implicit,
                ),
                name="search",
            )
        elif parsed.name == "recent":
            key = (
                parse_search(f"in:{parsed.args.split()[0]}").space_key
                if parsed.args.split()
                else None
            )
            services.tasks.spawn(
                recent(services, respond, team_id=team_id, user_id=user_id, space_key=key),
                name="recent",
            )
