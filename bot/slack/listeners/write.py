"""Writing to Confluence from Slack: save thread, create page, comment. (Not built yet.)"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.context import CommandContext
from bot.slack.services import Services

NOT_YET = (
    "is not available yet in this version of the app. See `/confluence help` for what works today."
)


async def handle_create(services: Services, ctx: CommandContext, args: str) -> None:
    await ctx.respond(response_type="ephemeral", text=f"Creating pages {NOT_YET}")


async def handle_comment(services: Services, ctx: CommandContext, args: str) -> None:
    await ctx.respond(response_type="ephemeral", text=f"Commenting on pages {NOT_YET}")


def register(app: AsyncApp, services: Services) -> None:
    """Shortcuts (save_thread, comment_on_page, create_page), their views and options loads."""
