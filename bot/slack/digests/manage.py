"""`/confluence digest list` and `/confluence digest unsubscribe SPACES|all` in a channel."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.digest import UnsubscribeCommand, describe, next_due
from bot.digest.service import schedule_from_store
from bot.slack import blocks
from bot.slack.context import CommandContext
from bot.slack.digests.answers import say, when
from bot.slack.digests.permissions import not_theirs, refusal
from bot.slack.services import Services

log = logging.getLogger("bot.slack.digests")


async def list_digests(services: Services, ctx: CommandContext, channel_id: str) -> None:
    subs = await services.store.subscriptions.list_by_channel(ctx.caller.team_id or "", channel_id)
    if not subs:
        await say(
            ctx,
            "This channel has no digests. Subscribe with `/confluence digest subscribe ENG`.",
        )
        return
    now = datetime.now(UTC)
    lines = ["*Digests in this channel*"]
    for sub in subs:
        schedule = schedule_from_store(sub.schedule)
        state = (
            f" · :pause_button: paused ({blocks.mrkdwn_escape(sub.paused_reason or 'paused')})"
            if sub.paused
            else f" · next {when(next_due(schedule, now))}"
        )
        lines.append(
            f"• *{blocks.mrkdwn_escape(sub.space_key)}* — {describe(schedule)}{state} · "
            f"set up by <@{sub.created_by}>"
        )
    await say(ctx, "\n".join(lines))


async def unsubscribe(
    services: Services, ctx: CommandContext, channel_id: str, command: UnsubscribeCommand
) -> None:
    if command.all_spaces:
        await _unsubscribe_all(services, ctx, channel_id)
        return
    store = services.store.subscriptions
    team_id = ctx.caller.team_id or ""
    subs = {s.space_key.upper(): s for s in await store.list_by_channel(team_id, channel_id)}
    wanted = [subs[k.upper()] for k in command.space_keys if k.upper() in subs]
    refused = await not_theirs(services, ctx, wanted)
    removed_keys = []
    for sub in wanted:
        if sub not in refused and await store.delete(sub.id):
            removed_keys.append(sub.space_key)
    unknown = [k for k in command.space_keys if k.upper() not in subs]
    parts = []
    if removed_keys:
        parts.append(f":wastebasket: Unsubscribed this channel from {', '.join(removed_keys)}.")
        log.info(
            "digest unsubscribed team=%s channel=%s spaces=%s user=%s",
            team_id,
            channel_id,
            ",".join(removed_keys),
            ctx.caller.user_id,
        )
    if refused:
        parts.append(refusal(services, refused))
    if unknown:
        parts.append(f"This channel wasn't subscribed to {', '.join(unknown)}.")
    await say(ctx, " ".join(parts))


async def _unsubscribe_all(services: Services, ctx: CommandContext, channel_id: str) -> None:
    store = services.store.subscriptions
    team_id = ctx.caller.team_id or ""
    subs = {s.space_key.upper(): s for s in await store.list_by_channel(team_id, channel_id)}
    refused = await not_theirs(services, ctx, list(subs.values()))
    if refused:
        await say(ctx, refusal(services, refused) + " Nothing was removed.")
        return
    keys = [s.space_key for s in subs.values()]
    removed = await store.delete_channel(team_id, channel_id)
    if removed == 1 and len(keys) == 1:
        text = f":wastebasket: Removed the digest subscription of this channel ({keys[0]})."
    elif removed:
        text = f":wastebasket: Removed all {removed} digest subscriptions of this channel."
    else:
        text = "This channel had no digests."
    await say(ctx, text)
    log.info(
        "digest unsubscribed all team=%s channel=%s user=%s",
        team_id,
        channel_id,
        ctx.caller.user_id,
    )
