"""`/confluence notify subscribe|list|unsubscribe|pause|resume` in a channel."""

from __future__ import annotations

import logging

from bot.confluence import ConfluenceError
from bot.notify import (
    USAGE,
    HelpCommand,
    ListCommand,
    MayManageOthers,
    NotifyCommand,
    ParseError,
    PauseCommand,
    ReaderUnavailable,
    ResumeCommand,
    SubscribeCommand,
    Subscribed,
    Subscriber,
    UnsubscribeCommand,
    parse_notify_command,
)
from bot.slack.context import CommandContext
from bot.slack.digests.members import ensure_member
from bot.slack.identity import IdentityRequired, Own
from bot.slack.notify.answers import (
    CHANNELS_ONLY,
    changed_text,
    listing,
    refusal_text,
    resumed_text,
    say,
    subscribed_text,
)
from bot.slack.notify.permissions import linked_members_may, may_manage_others
from bot.slack.notify.subscriptions import notify_service
from bot.slack.services import Services

log = logging.getLogger("bot.slack.notify")

WHAT = "Confluence notifications"


async def handle_notify(services: Services, ctx: CommandContext, args: str) -> None:
    try:
        command = parse_notify_command(args)
    except ParseError as exc:
        log.info("notify refused user=%s input: %s", ctx.caller.user_id, str(exc).split("\n")[0])
        await say(ctx, f":warning: {exc}")
        return
    if isinstance(command, HelpCommand):
        await say(ctx, USAGE)
        return
    channel_id = ctx.caller.channel_id
    if not channel_id or channel_id.startswith("D"):
        log.info("notify refused user=%s: not in a channel (%s)", ctx.caller.user_id, channel_id)
        await say(ctx, CHANNELS_ONLY)
        return
    who = Subscriber(ctx.caller.team_id or "", ctx.caller.user_id, channel_id)
    try:
        await _run(services, ctx, who, command)
    except (ConfluenceError, IdentityRequired) as exc:
        await _confluence_failed(services, ctx, exc)
    except ReaderUnavailable as exc:
        cause = exc.cause
        if isinstance(cause, ConfluenceError | IdentityRequired):
            await _confluence_failed(services, ctx, cause)
        else:
            raise


async def _confluence_failed(
    services: Services, ctx: CommandContext, exc: ConfluenceError | IdentityRequired
) -> None:
    caller = ctx.caller
    text = await services.on_confluence_error(exc, caller.team_id, caller.user_id, action="notify")
    await say(ctx, text + " Nothing was changed.")


async def _run(
    services: Services, ctx: CommandContext, who: Subscriber, command: NotifyCommand
) -> None:
    service = notify_service(services)
    may = may_manage_others(services, ctx.client, ctx.caller)
    linked = linked_members_may(services)
    if isinstance(command, ListCommand):
        await say(ctx, listing(await service.in_channel(who.team_id, who.channel_id)))
    elif isinstance(command, SubscribeCommand):
        await _subscribe(services, ctx, who, command, may)
    elif isinstance(command, UnsubscribeCommand):
        keys = None if command.all_spaces else command.space_keys
        changed = await service.unsubscribe(who, keys, may)
        await say(
            ctx,
            changed_text(
                "Unsubscribed",
                changed,
                all_spaces=command.all_spaces,
                linked_members_may=linked,
            ),
        )
    elif isinstance(command, PauseCommand):
        changed = await service.pause(who, command.space_keys or None, may)
        await say(ctx, changed_text("Paused", changed, all_spaces=False, linked_members_may=linked))
    elif isinstance(command, ResumeCommand):
        if await _not_postable(ctx, who):
            return
        resumed = await service.resume(who, command.space_keys or None, may)
        await say(ctx, resumed_text(resumed, linked_members_may=linked))


async def _subscribe(
    services: Services,
    ctx: CommandContext,
    who: Subscriber,
    command: SubscribeCommand,
    may: MayManageOthers,
) -> None:
    if await _not_postable(ctx, who):
        return
    outcome = await notify_service(services).subscribe(who, command, may)
    if isinstance(outcome, Subscribed):
        own = isinstance(await services.identity_for(ctx.caller.team_id, who.user_id), Own)
        await say(ctx, subscribed_text(outcome, own_identity=own))
        return
    log.info(
        "notify subscribe refused team=%s channel=%s user=%s reason=%s",
        who.team_id,
        who.channel_id,
        who.user_id,
        type(outcome).__name__,
    )
    await say(ctx, refusal_text(outcome, linked_members_may=linked_members_may(services)))


async def _not_postable(ctx: CommandContext, who: Subscriber) -> bool:
    """Join a public channel if needed; True (the user told why) when the bot can't post there."""
    problem = await ensure_member(ctx.client, who.channel_id, what=WHAT)
    if problem is None:
        return False
    log.info("notify refused channel=%s user=%s: can't post there", who.channel_id, who.user_id)
    await say(ctx, problem)
    return True
