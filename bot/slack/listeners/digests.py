"""`/confluence digest ...` and the digest parts of App Home. (Not built yet.)"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.slack.context import CommandContext
from bot.slack.services import Services


async def handle_digest(services: Services, ctx: CommandContext, args: str) -> None:
    await ctx.respond(
        response_type="ephemeral",
        text="Blog post digests are not available yet in this version of the app. "
        "See `/confluence help` for what works today.",
    )


async def home_blocks(
    services: Services, team_id: str | None, user_id: str
) -> list[dict[str, Any]]:
    """App Home section: the subscriptions this user created."""
    return []


def register(app: AsyncApp, services: Services) -> None:
    """Actions (e.g. Unsubscribe buttons on App Home)."""
