"""The personal feed over the app's store, Confluence client and a Slack client: the linked
users (from the store, with their preferences), a dead connection marked stale through the
identity machinery (``Services.on_confluence_error``)."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import ConfluenceError
from bot.delivery import ChannelPacer
from bot.personal import Me, Preferences
from bot.personal.feed import FeedService, FeedUser
from bot.personal.feed.confluence import ConfluenceFeedSource
from bot.personal.ports import Clock
from bot.slack.identity import RECONNECT
from bot.slack.personal.feed_poster import SlackFeedPoster
from bot.slack.services import Services

__all__ = ["StoreFeedUsers", "build_feed_service"]


class StoreFeedUsers:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def linked(self) -> list[FeedUser]:
        if self._services.confluence.is_direct:
            return []  # one identity for everyone: nobody has a feed of their own
        found = []
        for link, chosen in await self._services.store.preferences.linked():
            if link.atlassian_account_id is None or link.status not in ("active", "stale"):
                continue
            me = Me(link.team_id, link.slack_user_id, link.atlassian_account_id, link.connection_id)
            found.append(FeedUser(me, link.status, Preferences.of(chosen)))
        return found

    async def lost(self, me: Me, error: Exception) -> bool:
        if not isinstance(error, ConfluenceError):
            return False
        said = await self._services.on_confluence_error(
            error, me.team_id or None, me.user_id, action="personal-feed"
        )
        return said == RECONNECT


def build_feed_service(
    services: Services,
    client: AsyncWebClient,
    *,
    clock: Clock | None = None,
    pacer: ChannelPacer | None = None,
) -> FeedService:
    settings = services.settings
    return FeedService(
        services.store,
        StoreFeedUsers(services),
        ConfluenceFeedSource(services.confluence),
        SlackFeedPoster(client, pacer=pacer),
        clock=clock,
        minimum_interval=settings.personal_interval_seconds,
        budget_rps=settings.personal_budget_rps,
        requests_per_poll=settings.personal_requests_per_poll,
        merge_window=timedelta(minutes=settings.personal_merge_minutes),
    )
