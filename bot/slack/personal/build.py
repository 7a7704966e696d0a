"""The personal service for one request: linked users from the store, tasks from Confluence."""

from __future__ import annotations

from bot.personal import Me, NotLinked, PersonalService
from bot.personal.confluence import ConfluenceTasks
from bot.personal.feed import FeedMemory
from bot.slack.identity import store_team
from bot.slack.services import Services


class LinkedIdentities:
    """A user's own identity, or why they have none (bot.personal's Identities port).

    Personal features never fall back to the shared identity, whatever CONFLUENCE_USER_AUTH says:
    the shared account's tasks and mentions are not the user's.
    """

    def __init__(self, services: Services) -> None:
        self._services = services

    async def me(self, team_id: str | None, user_id: str) -> Me:
        if self._services.confluence.is_direct:
            raise NotLinked("direct", team_id, user_id)
        team = store_team(team_id)
        link = await self._services.store.connections.get(team, user_id)
        if link is None:
            raise NotLinked("not_connected", team_id, user_id)
        if link.status == "pending":
            raise NotLinked("pending", team_id, user_id)
        if link.status == "stale" or not link.atlassian_account_id:
            raise NotLinked("stale", team_id, user_id)
        return Me(team, user_id, link.atlassian_account_id, link.connection_id)


def personal_service(services: Services) -> PersonalService:
    return PersonalService(
        identities=LinkedIdentities(services),
        tasks=ConfluenceTasks(services.confluence),
        preferences=services.store.preferences,
        feed=FeedMemory(services.store),
    )
