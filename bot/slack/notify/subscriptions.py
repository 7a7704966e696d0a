"""The subscription service for one request: the store, and Confluence as each user reads it
(the poller's service is built apart, beside the poster)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from bot.confluence import (
    AuthError,
    ConfluenceClient,
    ExpiredGrant,
    NoConnection,
    NotFound,
    PermissionDenied,
)
from bot.confluence.cql import quote
from bot.notify import PageRef, ReaderUnavailable, SpaceRef, SubscriptionService
from bot.slack.identity import IdentityRequired
from bot.slack.services import Services

__all__ = ["ConfluenceReader", "IdentityReaders", "notify_service"]


class ConfluenceReader:
    """bot.notify's SpaceReader over one client view (a user's own connection, or the shared)."""

    def __init__(self, client: ConfluenceClient) -> None:
        self._client = client

    async def site_url(self) -> str:
        with _translated():
            return await self._client.site_url()

    async def spaces(self, keys: Sequence[str]) -> dict[str, SpaceRef]:
        with _translated():
            found = await self._client.spaces.by_keys(list(keys))
        return {key: SpaceRef(space.id, space.key, space.name) for key, space in found.items()}

    async def page(self, page_id: str) -> PageRef | None:
        try:
            page = await self._client.pages.get(page_id)
        except (NotFound, PermissionDenied):  # gone, or restricted from this identity
            return None
        except (ExpiredGrant, NoConnection, AuthError) as exc:
            raise ReaderUnavailable(exc) from exc
        return PageRef(page.id, page.title, page.space_id)

    async def label_in_use(self, label: str, space_keys: Sequence[str]) -> bool:
        spaces = ", ".join(quote(key) for key in space_keys)
        query = f"label = {quote(label)} AND space in ({spaces})"
        with _translated():
            found = await self._client.search.page(query, limit=1)
        return bool(found.items)


class IdentityReaders:
    """Who reads as whom: bot.slack.identity's policy (own connection when linked; the shared
    one in optional mode; required mode refuses the unlinked)."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def reader_for(self, team_id: str, user_id: str) -> ConfluenceReader:
        try:
            client = await self._services.confluence_for(team_id or None, user_id)
        except IdentityRequired as exc:
            raise ReaderUnavailable(exc) from exc
        return ConfluenceReader(client)


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """The identity's own failures (revoked, expired, no connection) -> ReaderUnavailable;
    Confluence being unable to answer now stays a ConfluenceError."""
    try:
        yield
    except (ExpiredGrant, NoConnection, AuthError, PermissionDenied) as exc:
        raise ReaderUnavailable(exc) from exc


def notify_service(services: Services) -> SubscriptionService:
    return SubscriptionService(services.store.notify, IdentityReaders(services))
