"""`/confluence connect|disconnect|whoami` and the identity part of App Home. (Not built yet.)"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.slack import blocks as bk
from bot.slack.context import CommandContext
from bot.slack.services import Services

NOT_YET = (
    "is not available yet in this version of the app. See `/confluence help` for what works today."
)


async def handle_connect(services: Services, ctx: CommandContext, args: str) -> None:
    await ctx.respond(
        response_type="ephemeral", text=f"Connecting your own Confluence account {NOT_YET}"
    )


async def handle_disconnect(services: Services, ctx: CommandContext, args: str) -> None:
    await ctx.respond(
        response_type="ephemeral", text=f"Disconnecting your Confluence account {NOT_YET}"
    )


async def handle_whoami(services: Services, ctx: CommandContext, args: str) -> None:
    await ctx.respond(response_type="ephemeral", text=f"Showing your Confluence identity {NOT_YET}")


async def home_blocks(
    services: Services, team_id: str | None, user_id: str
) -> list[dict[str, Any]]:
    """App Home section: which Confluence identity this user acts as."""
    return [bk.section("Everyone here acts in Confluence through the app's shared connection.")]


def register(app: AsyncApp, services: Services) -> None:
    """Actions (e.g. the "Done — check my connection" button, Connect/Disconnect on App Home)."""
