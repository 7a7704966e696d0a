"""Who reads Confluence for each subscription owner (the notify feature's Identities port), by
the app's identity policy (bot.slack.identity): their own connection when linked, else the
shared one in `optional` mode; none when they must connect or reconnect first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from bot.notify.ports import IDENTITY_LOST, Identity, IdentityLost
from bot.slack.identity import IdentityRequired, Own, decide
from bot.slack.services import Services

__all__ = ["StoreIdentities"]


class StoreIdentities:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def resolve(
        self, owners: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], Identity | IdentityLost]:
        services = self._services
        by_team: dict[str, set[str]] = defaultdict(set)
        for team_id, user_id in owners:
            by_team[team_id].add(user_id)
        resolved: dict[tuple[str, str], Identity | IdentityLost] = {}
        for team_id, users in by_team.items():
            links = {
                link.slack_user_id: link
                for link in await services.store.connections.of_users(team_id, users)
            }
            for user_id in users:
                try:
                    decision = decide(
                        direct=services.confluence.is_direct,
                        user_auth=services.settings.confluence_user_auth,
                        team_id=team_id,
                        user_id=user_id,
                        link=links.get(user_id),
                    )
                except IdentityRequired:
                    resolved[(team_id, user_id)] = IDENTITY_LOST
                    continue
                own = decision.connection_id if isinstance(decision, Own) else None
                resolved[(team_id, user_id)] = own
        return resolved

    async def slack_users(self, team_id: str, account_ids: Collection[str]) -> dict[str, str]:
        links = await self._services.store.connections.of_accounts(team_id, account_ids)
        return {
            link.atlassian_account_id: link.slack_user_id
            for link in links
            if link.atlassian_account_id
        }
