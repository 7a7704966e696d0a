"""How the digest subcommands answer: privately, with times shown in each reader's zone."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.slack.context import CommandContext


async def say(ctx: CommandContext, text: str) -> None:
    await ctx.respond(response_type="ephemeral", replace_original=False, text=text)


def when(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return (
        f"<!date^{int(utc.timestamp())}^{{date_short_pretty}} at {{time}}|{utc:%Y-%m-%d %H:%M} UTC>"
    )
