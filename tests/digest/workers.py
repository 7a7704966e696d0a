"""Entry point for the multi-process replica test (spawned children import this module)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import ChannelPacer
from bot.digest.service import DigestService
from bot.slack.digests.poster import SlackDigestPoster
from bot.store import Store

from .fakes import FakeSource, ManualClock

TICKS = 3


def seeded_source(due: datetime) -> FakeSource:
    source = FakeSource(names={"acc-1": "Ada Lovelace"})
    source.add_space("100", "ENG", "Engineering")
    source.add_post("100", "Release 1.2", due - timedelta(hours=3))
    return source


async def _replica(
    url: str, schema: str | None, slack_api: str, due: datetime, owner: str, start: Barrier
) -> int:
    store = Store.from_url(url, schema=schema)
    client = AsyncWebClient(token="xoxb-test-token", base_url=slack_api)
    clock = ManualClock(due + timedelta(seconds=1))
    poster = SlackDigestPoster(client, pacer=ChannelPacer(0))
    service = DigestService(store, seeded_source(due), poster, clock=clock, owner=owner)
    try:
        assert await store.ping()  # connect first, so the race is about the claims
        await asyncio.to_thread(start.wait, 60)
        posted = 0
        for _ in range(TICKS):
            posted += (await service.tick()).posted
            clock.advance(seconds=30)
        return posted
    finally:
        await store.close()


def replica(
    url: str,
    schema: str | None,
    slack_api: str,
    due: datetime,
    owner: str,
    start: Barrier,
    results: Queue[tuple[str, int | str]],
) -> None:
    try:
        results.put((owner, asyncio.run(_replica(url, schema, slack_api, due, owner, start))))
    except Exception as exc:  # reported to the parent, which fails the test
        results.put((owner, f"{type(exc).__name__}: {exc}"))


async def _tick_once(
    url: str, schema: str | None, slack_api: str, due: datetime, owner: str
) -> None:
    store = Store.from_url(url, schema=schema)
    client = AsyncWebClient(token="xoxb-test-token", base_url=slack_api)
    poster = SlackDigestPoster(client, pacer=ChannelPacer(0))
    service = DigestService(
        store,
        seeded_source(due),
        poster,
        clock=ManualClock(due + timedelta(seconds=1)),
        owner=owner,
        concurrency=1,  # one channel after the other: the test knows what was posted when
        batch_seconds=3600,  # records wait for the batch, as they do while many are posted
    )
    try:
        await service.tick()
    finally:
        await store.close()


def tick_once(url: str, schema: str | None, slack_api: str, due: datetime, owner: str) -> None:
    """One scheduled tick (the test kills this process in the middle of it)."""
    asyncio.run(_tick_once(url, schema, slack_api, due, owner))
