"""Notify service tests run on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.store import Store
from tests.confluence import openapi
from tests.fakes.confluence_fake import FakeConfluence
from tests.notify.harness import Notify, client_for, make_site
from tests.store.conftest import Database, database, store

__all__ = ["Database", "database", "notify", "site", "store"]


@pytest.fixture
def site() -> Iterator[FakeConfluence]:
    fake = make_site()
    yield fake
    if openapi.available():  # every request the poller made is as Atlassian documents it
        assert openapi.mismatches(fake.requests) == []


@pytest.fixture
async def notify(site: FakeConfluence, store: Store) -> AsyncIterator[Notify]:
    client = client_for(site)
    try:
        yield Notify(site, store, client)
    finally:
        await client.aclose()
