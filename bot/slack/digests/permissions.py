"""Who may change or remove a channel's digest: its creator, a workspace admin or owner, or — in
`optional` mode — a member with their own Confluence connection."""

from __future__ import annotations

import logging

from bot.slack import blocks
from bot.slack.context import CommandContext
from bot.slack.digests.members import is_workspace_admin
from bot.slack.identity import store_team
from bot.slack.services import Services
from bot.store import Subscription

log = logging.getLogger("bot.slack.digests")


async def not_theirs(
    services: Services, ctx: CommandContext, subs: list[Subscription]
) -> list[Subscription]:
    """The subscriptions this user may not remove or take over."""
    caller = ctx.caller
    others = [s for s in subs if s.created_by != caller.user_id]
    if not others:
        return []
    if await is_workspace_admin(ctx.client, caller.user_id):
        return []
    if _linked_members_may(services):
        link = await services.store.connections.get(store_team(caller.team_id), caller.user_id)
        if link is not None and link.status == "active":
            return []
    log.info(
        "digest change refused team=%s channel=%s spaces=%s user=%s",
        caller.team_id,
        caller.channel_id,
        ",".join(s.space_key for s in others),
        caller.user_id,
    )
    return others


def refusal(services: Services, refused: list[Subscription]) -> str:
    owners = ", ".join(sorted({f"<@{s.created_by}>" for s in refused}))
    keys = ", ".join(blocks.mrkdwn_escape(s.space_key) for s in refused)
    linked = (
        ", or a member who connected their own Confluence account (`/confluence connect`)"
        if _linked_members_may(services)
        else ""
    )
    return (
        f":no_entry: Only whoever set up the digest of {keys} ({owners}), a workspace admin"
        f"{linked} can change or remove it."
    )


def _linked_members_may(services: Services) -> bool:
    return (
        services.settings.confluence_user_auth == "optional" and not services.confluence.is_direct
    )
