"""`/confluence digest ...` and the digest parts of App Home."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import ConfluenceError
from bot.digest import (
    USAGE,
    HelpCommand,
    ListCommand,
    NowCommand,
    ParseError,
    SubscribeCommand,
    UnsubscribeCommand,
    describe,
    next_due,
    parse_digest_command,
)
from bot.digest.service import ChannelResult, NowReport, schedule_from_store, schedule_to_store
from bot.slack import blocks as bk
from bot.slack import failure_notice
from bot.slack.context import CommandContext
from bot.slack.digest_adapters import build_digest_service
from bot.slack.error_messages import missing_spaces
from bot.slack.identity import IdentityRequired, store_team
from bot.slack.services import Services
from bot.store import Subscription

log = logging.getLogger("bot.slack.digests")

UNSUBSCRIBE_ACTION = "digest_unsubscribe"
HOME_LIMIT = 20  # subscriptions listed on App Home (each is one block; Home allows 100)
FALLBACK_TZ = "UTC"


async def handle_digest(services: Services, ctx: CommandContext, args: str) -> None:
    try:
        command = parse_digest_command(args)
    except ParseError as exc:
        await _say(ctx, f":warning: {exc}")
        return
    if isinstance(command, HelpCommand):
        await _say(ctx, USAGE)
        return
    if not ctx.channel_id or ctx.channel_id.startswith("D"):
        await _say(ctx, "Digests go to channels: run this in the channel that should get them.")
        return
    if isinstance(command, SubscribeCommand):
        await _subscribe(services, ctx, ctx.channel_id, command)
    elif isinstance(command, UnsubscribeCommand):
        await _unsubscribe(services, ctx, ctx.channel_id, command)
    elif isinstance(command, ListCommand):
        await _list(services, ctx, ctx.channel_id)
    elif isinstance(command, NowCommand):
        await _now(services, ctx, ctx.channel_id, command)


async def _say(ctx: CommandContext, text: str) -> None:
    await ctx.respond(response_type="ephemeral", replace_original=False, text=text)


# ---------------------------------------------------------------------------- subscribe


async def _subscribe(
    services: Services, ctx: CommandContext, channel_id: str, command: SubscribeCommand
) -> None:
    tz = await _user_tz(ctx.client, ctx.user_id)
    schedule = command.schedule(tz)
    try:
        # Inside the try: a user who must (re)connect first is told so here.
        confluence = await services.confluence_for(ctx.team_id, ctx.user_id)
        spaces = await confluence.spaces.by_keys(list(command.space_keys))
    except (ConfluenceError, IdentityRequired) as exc:
        await _say(
            ctx,
            await services.on_confluence_error(
                exc, ctx.team_id, ctx.user_id, action="digest subscribe"
            ),
        )
        return
    missing = [key for key in command.space_keys if key.upper() not in spaces]
    if missing:
        await _say(ctx, missing_spaces(missing))
        return
    existing = {
        s.space_key.upper(): s
        for s in await services.store.subscriptions.list_by_channel(ctx.team_id or "", channel_id)
    }
    others = [existing[k.upper()] for k in command.space_keys if k.upper() in existing]
    refused = await _not_theirs(services, ctx, others)
    if refused:
        # Re-subscribing would make them its owner: the same rule as removing it.
        await _say(ctx, _refusal(services, refused))
        return
    problem = await _ensure_member(ctx.client, channel_id)
    if problem is not None:
        await _say(ctx, problem)
        return
    changed = []
    for key in command.space_keys:
        space = spaces[key.upper()]
        result = await services.store.subscriptions.upsert(
            team_id=ctx.team_id or "",
            channel_id=channel_id,
            space_key=space.key,
            space_id=space.id,
            schedule=schedule_to_store(schedule),
            created_by=ctx.user_id,
            connection_id=confluence.connection,
        )
        changed.append(
            f"*{bk.mrkdwn_escape(space.key)}*" + ("" if result.created else " (updated)")
        )
    upcoming = next_due(schedule, datetime.now(UTC))
    await _say(
        ctx,
        f":white_check_mark: This channel gets new blog posts from {', '.join(changed)} "
        f"{describe(schedule)}. Next digest: {_when(upcoming)}. "
        "Use `/confluence digest now` to post one right away.",
    )
    log.info(
        "digest subscribed team=%s channel=%s spaces=%s user=%s",
        ctx.team_id,
        channel_id,
        ",".join(command.space_keys),
        ctx.user_id,
    )


async def _user(client: AsyncWebClient, user_id: str) -> dict[str, Any]:
    """users.info's user object; empty (and a log line) when Slack does not answer."""
    try:
        response = await client.users_info(user=user_id)
    except SlackApiError as exc:
        log.warning("users.info failed user=%s error=%s", user_id, exc.response.get("error"))
        return {}
    user = response.get("user")
    return user if isinstance(user, dict) else {}


async def _user_tz(client: AsyncWebClient, user_id: str) -> str:
    """The invoker's IANA zone from their Slack profile; UTC when Slack does not say."""
    tz = (await _user(client, user_id)).get("tz")
    if not isinstance(tz, str) or not tz:
        return FALLBACK_TZ
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return FALLBACK_TZ
    return tz


GROUP_DM = "Digests go to channels, not direct or group messages: run this in a channel."


async def _ensure_member(client: AsyncWebClient, channel_id: str) -> str | None:
    """Join a public channel if needed; a sentence for the user when that is not possible."""
    invite = (
        ":wave: I'm not in this channel, and I can't join private channels myself. "
        "Invite me with `/invite @Confluence`, then run the command again."
    )
    try:
        info = await client.conversations_info(channel=channel_id)
    except SlackApiError as exc:
        if exc.response.get("error") == "channel_not_found":
            return invite  # a private channel the bot is not in looks like this
        if exc.response.get("error") == "missing_scope":
            return GROUP_DM  # group DMs need scopes this app does not ask for
        # Unknown: subscribe anyway; a delivery that cannot post pauses and tells the owner.
        log.warning("conversations.info failed channel=%s error=%s", channel_id, exc)
        return None
    channel = info.get("channel") or {}
    if channel.get("is_mpim") or channel.get("is_im"):
        return GROUP_DM
    if channel.get("is_archived"):
        return ":warning: This channel is archived, so it can't get digests."
    if channel.get("is_member"):
        return None
    if channel.get("is_private"):
        return invite
    try:
        await client.conversations_join(channel=channel_id)
    except SlackApiError as exc:
        log.warning("conversations.join failed channel=%s error=%s", channel_id, exc)
        return invite
    return None


# ---------------------------------------------------------------------------- list / unsubscribe


async def _list(services: Services, ctx: CommandContext, channel_id: str) -> None:
    subs = await services.store.subscriptions.list_by_channel(ctx.team_id or "", channel_id)
    if not subs:
        await _say(
            ctx,
            "This channel has no digests. Subscribe with `/confluence digest subscribe ENG`.",
        )
        return
    now = datetime.now(UTC)
    lines = ["*Digests in this channel*"]
    for sub in subs:
        schedule = schedule_from_store(sub.schedule)
        state = (
            f" · :pause_button: paused ({bk.mrkdwn_escape(sub.paused_reason or 'paused')})"
            if sub.paused
            else f" · next {_when(next_due(schedule, now))}"
        )
        lines.append(
            f"• *{bk.mrkdwn_escape(sub.space_key)}* — {describe(schedule)}{state} · "
            f"set up by <@{sub.created_by}>"
        )
    await _say(ctx, "\n".join(lines))


async def _unsubscribe(
    services: Services, ctx: CommandContext, channel_id: str, command: UnsubscribeCommand
) -> None:
    store = services.store.subscriptions
    team_id = ctx.team_id or ""
    subs = {s.space_key.upper(): s for s in await store.list_by_channel(team_id, channel_id)}
    if command.all_spaces:
        refused = await _not_theirs(services, ctx, list(subs.values()))
        if refused:
            await _say(ctx, _refusal(services, refused) + " Nothing was removed.")
            return
        keys = [s.space_key for s in subs.values()]
        removed = await store.delete_channel(team_id, channel_id)
        if removed == 1 and len(keys) == 1:
            text = f":wastebasket: Removed the digest subscription of this channel ({keys[0]})."
        elif removed:
            text = f":wastebasket: Removed all {removed} digest subscriptions of this channel."
        else:
            text = "This channel had no digests."
        await _say(ctx, text)
        log.info(
            "digest unsubscribed all team=%s channel=%s user=%s", team_id, channel_id, ctx.user_id
        )
        return
    wanted = [subs[k.upper()] for k in command.space_keys if k.upper() in subs]
    refused = await _not_theirs(services, ctx, wanted)
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
            ctx.user_id,
        )
    if refused:
        parts.append(_refusal(services, refused))
    if unknown:
        parts.append(f"This channel wasn't subscribed to {', '.join(unknown)}.")
    await _say(ctx, " ".join(parts))


async def _not_theirs(
    services: Services, ctx: CommandContext, subs: list[Subscription]
) -> list[Subscription]:
    """The subscriptions this user may not remove or take over: only its creator, a workspace
    admin or owner, or — in `optional` mode — a member with their own Confluence connection may."""
    others = [s for s in subs if s.created_by != ctx.user_id]
    if not others:
        return []
    if await _is_workspace_admin(ctx.client, ctx.user_id):
        return []
    if _linked_members_may(services):
        link = await services.store.connections.get(store_team(ctx.team_id), ctx.user_id)
        if link is not None and link.status == "active":
            return []
    log.info(
        "digest change refused team=%s channel=%s spaces=%s user=%s",
        ctx.team_id,
        ctx.channel_id,
        ",".join(s.space_key for s in others),
        ctx.user_id,
    )
    return others


def _linked_members_may(services: Services) -> bool:
    return (
        services.settings.confluence_user_auth == "optional" and not services.confluence.is_direct
    )


def _refusal(services: Services, refused: list[Subscription]) -> str:
    owners = ", ".join(sorted({f"<@{s.created_by}>" for s in refused}))
    keys = ", ".join(bk.mrkdwn_escape(s.space_key) for s in refused)
    linked = (
        ", or a member who connected their own Confluence account (`/confluence connect`)"
        if _linked_members_may(services)
        else ""
    )
    return (
        f":no_entry: Only whoever set up the digest of {keys} ({owners}), a workspace admin"
        f"{linked} can change or remove it."
    )


async def _is_workspace_admin(client: AsyncWebClient, user_id: str) -> bool:
    user = await _user(client, user_id)
    return any(user.get(flag) is True for flag in ("is_admin", "is_owner", "is_primary_owner"))


# ---------------------------------------------------------------------------- now


async def _now(
    services: Services, ctx: CommandContext, channel_id: str, command: NowCommand
) -> None:
    service = build_digest_service(services, ctx.client)
    report = await service.deliver_now(ctx.team_id or "", channel_id, command.space_keys)
    await _say(ctx, now_summary(report))


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


def _when(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return (
        f"<!date^{int(utc.timestamp())}^{{date_short_pretty}} at {{time}}|{utc:%Y-%m-%d %H:%M} UTC>"
    )


# ---------------------------------------------------------------------------- App Home


async def home_blocks(
    services: Services, team_id: str | None, user_id: str
) -> list[dict[str, Any]]:
    """App Home section: the subscriptions this user created, each with an Unsubscribe button."""
    subs = await services.store.subscriptions.list_by_creator(team_id or "", user_id)
    if not subs:
        return []
    blocks = [bk.divider(), bk.header("Your digests")]
    blocks.extend(_home_row(sub) for sub in subs[:HOME_LIMIT])
    if len(subs) > HOME_LIMIT:
        blocks.append(
            bk.context(
                f"…and {len(subs) - HOME_LIMIT} more. Run `/confluence digest list` in a channel "
                "to see its digests."
            )
        )
    return blocks


def _home_row(sub: Subscription) -> dict[str, Any]:
    schedule = schedule_from_store(sub.schedule)
    paused = " · :pause_button: paused" if sub.paused else ""
    return bk.section(
        f"*{bk.mrkdwn_escape(sub.space_key)}* in <#{sub.channel_id}> — {describe(schedule)}"
        f"{paused}",
        accessory=bk.button("Unsubscribe", UNSUBSCRIBE_ACTION, value=str(sub.id)),
    )


def register(app: AsyncApp, services: Services) -> None:
    """Actions (e.g. Unsubscribe buttons on App Home)."""

    @app.action(UNSUBSCRIBE_ACTION)
    async def on_unsubscribe(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user_id = str((body.get("user") or {}).get("id", ""))
        team_id = (body.get("team") or {}).get("id")
        value = str(((body.get("actions") or [{}])[0]).get("value", ""))
        services.tasks.spawn(
            _unsubscribe_from_home(services, client, team_id, user_id, value),
            name="digest-unsubscribe",
            about=f"user={user_id} team={team_id} subscription={value}",
            on_error=failure_notice.privately(client, user_id, None),
        )


async def _unsubscribe_from_home(
    services: Services, client: AsyncWebClient, team_id: str | None, user_id: str, value: str
) -> None:
    if not value.isdigit():
        return
    sub = await services.store.subscriptions.get(int(value))
    # Only the owner's Home shows the button; a forged payload must not remove others' digests.
    if sub is not None and sub.created_by == user_id and sub.team_id == (team_id or ""):
        await services.store.subscriptions.delete(sub.id)
        log.info("digest unsubscribed from home subscription=%s user=%s", sub.id, user_id)
    from bot.slack.listeners.home import home_view  # home imports this module

    await client.views_publish(user_id=user_id, view=await home_view(services, team_id, user_id))
