"""Who may change, pause or remove a channel's notification subscription someone else set up:
a workspace admin or owner, or — in `optional` mode — a member with their own Confluence
connection (the digests' rule)."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.notify import MayManageOthers
from bot.slack.caller import Caller
from bot.slack.digests.members import is_workspace_admin
from bot.slack.identity import store_team
from bot.slack.services import Services


def linked_members_may(services: Services) -> bool:
    return (
        services.settings.confluence_user_auth == "optional" and not services.confluence.is_direct
    )


def may_manage_others(
    services: Services, client: AsyncWebClient, caller: Caller
) -> MayManageOthers:
    """The question bot.notify asks when someone else's subscription is at stake (answered
    once, then remembered for the request)."""
    answer: list[bool] = []

    async def ask() -> bool:
        if not answer:
            answer.append(await _may(services, client, caller))
        return answer[0]

    return ask


async def _may(services: Services, client: AsyncWebClient, caller: Caller) -> bool:
    if await is_workspace_admin(client, caller.user_id):
        return True
    if linked_members_may(services):
        link = await services.store.connections.get(store_team(caller.team_id), caller.user_id)
        return link is not None and link.status == "active"
    return False
