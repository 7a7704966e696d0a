"""`/confluence digest now [SPACES]`: post this channel's digest at once, and say how it went."""

from __future__ import annotations

from bot.digest import NowCommand
from bot.digest.service import ChannelResult, NowReport
from bot.slack.context import CommandContext
from bot.slack.digests.answers import say
from bot.slack.digests.build import build_digest_service
from bot.slack.services import Services


async def post_now(
    services: Services, ctx: CommandContext, channel_id: str, command: NowCommand
) -> None:
    service = build_digest_service(services, ctx.client)
    report = await service.deliver_now(ctx.caller.team_id or "", channel_id, command.space_keys)
    await say(ctx, now_summary(report))


def now_summary(report: NowReport) -> str:
    """What `digest now` tells the user who ran it."""
    if report.subscribed == 0 and not report.unknown:
        return (
            "This channel has no active digests. Subscribe with `/confluence digest subscribe ENG`."
        )
    lines = [_result_line(r) for r in report.results]
    if report.busy:
        lines.append(
            f":hourglass: The digest for {', '.join(report.busy)} is being posted right now."
        )
    if report.unknown:
        lines.append(f"This channel isn't subscribed to {', '.join(report.unknown)}.")
    return "\n".join(lines)


def _result_line(result: ChannelResult) -> str:
    keys = ", ".join(result.space_keys)
    if result.outcome in ("posted", "lost_claim"):
        count = f"{result.post_count} new blog post{'s' if result.post_count != 1 else ''}"
        return f":white_check_mark: Posted the digest for {keys} ({count})."
    if result.outcome == "empty":
        return f"Nothing new in {keys} since the last digest, so I posted nothing."
    if result.outcome == "already_posted":
        return f"The digest for {keys} was already posted."
    if result.outcome == "paused":
        return (
            f":pause_button: The digest for {keys} is paused ({result.detail}); "
            "its owner got a direct message about it."
        )
    # A failed attempt is not in flight: running `now` again takes it over at once.
    return (
        f":cloud: Couldn't post the digest for {keys} ({result.detail}). "
        "Run `/confluence digest now` again to retry."
    )
