"""`/confluence digest subscribe SPACES [schedule]` in a channel."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.confluence import ConfluenceClient, ConfluenceError, Space
from bot.digest import Schedule, SubscribeCommand, describe, next_due
from bot.digest.service import schedule_to_store
from bot.slack import blocks
from bot.slack.context import CommandContext
from bot.slack.digests.answers import say, when
from bot.slack.digests.members import ensure_member
from bot.slack.digests.permissions import not_theirs, refusal
from bot.slack.error_messages import missing_spaces
from bot.slack.identity import IdentityRequired
from bot.slack.services import Services
from bot.slack.users import user_info, zone_name

log = logging.getLogger("bot.slack.digests")


async def subscribe(
    services: Services, ctx: CommandContext, channel_id: str, command: SubscribeCommand
) -> None:
    caller = ctx.caller
    tz = zone_name(await user_info(ctx.client, caller.user_id))
    schedule = command.schedule(tz)
    try:
        # Inside the try: a user who must (re)connect first is told so here.
        confluence = await services.confluence_for(caller.team_id, caller.user_id)
        spaces = await confluence.spaces.by_keys(list(command.space_keys))
    except (ConfluenceError, IdentityRequired) as exc:
        await say(
            ctx,
            await services.on_confluence_error(
                exc, caller.team_id, caller.user_id, action="digest subscribe"
            ),
        )
        return
    missing = [key for key in command.space_keys if key.upper() not in spaces]
    if missing:
        await say(ctx, missing_spaces(missing))
        return
    existing = {
        s.space_key.upper(): s
        for s in await services.store.subscriptions.list_by_channel(
            caller.team_id or "", channel_id
        )
    }
    others = [existing[k.upper()] for k in command.space_keys if k.upper() in existing]
    refused = await not_theirs(services, ctx, others)
    if refused:
        # Re-subscribing would make them its owner: the same rule as removing it.
        await say(ctx, refusal(services, refused))
        return
    problem = await ensure_member(ctx.client, channel_id)
    if problem is not None:
        await say(ctx, problem)
        return
    changed = await _save(services, ctx, channel_id, command, spaces, schedule, confluence)
    upcoming = next_due(schedule, datetime.now(UTC))
    await say(
        ctx,
        f":white_check_mark: This channel gets new blog posts from {', '.join(changed)} "
        f"{describe(schedule)}. Next digest: {when(upcoming)}. "
        "Use `/confluence digest now` to post one right away.",
    )
    log.info(
        "digest subscribed team=%s channel=%s spaces=%s user=%s",
        caller.team_id,
        channel_id,
        ",".join(command.space_keys),
        caller.user_id,
    )


async def _save(
    services: Services,
    ctx: CommandContext,
    channel_id: str,
    command: SubscribeCommand,
    spaces: dict[str, Space],
    schedule: Schedule,
    confluence: ConfluenceClient,
) -> list[str]:
    """Subscribe the channel to each space (or reschedule); each key, marked when updated."""
    changed = []
    for key in command.space_keys:
        space = spaces[key.upper()]
        result = await services.store.subscriptions.upsert(
            team_id=ctx.caller.team_id or "",
            channel_id=channel_id,
            space_key=space.key,
            space_id=space.id,
            schedule=schedule_to_store(schedule),
            created_by=ctx.caller.user_id,
            connection_id=confluence.connection,
        )
        changed.append(
            f"*{blocks.mrkdwn_escape(space.key)}*" + ("" if result.created else " (updated)")
        )
    return changed
