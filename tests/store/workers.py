"""Entry point for the multi-process tests (spawned children import this module)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from bot.delivery import ClaimKey
from bot.store import DIGEST_DELIVERY_KIND, Store

PERIOD = "2024-05-06"
EVENT_ID = "Ev-race"


def key(subscription_id: int) -> ClaimKey:
    return ClaimKey(DIGEST_DELIVERY_KIND, str(subscription_id), PERIOD)


async def _race(
    url: str,
    schema: str | None,
    what: str,
    subscription_id: int,
    now: datetime,
    owner: str,
    start: Barrier,
) -> bool:
    store = Store.from_url(url, schema=schema)
    try:
        assert await store.ping()  # connect first, so the race is about the claim itself
        await asyncio.to_thread(start.wait, 60)
        if what == "delivery":
            claim = await store.deliveries.try_claim(key(subscription_id), owner, 60, now)
            return claim is not None
        return await store.events.claim(EVENT_ID, 60, now=now)
    finally:
        await store.close()


def race(
    url: str,
    schema: str | None,
    what: str,
    subscription_id: int,
    now: datetime,
    owner: str,
    start: Barrier,
    results: Queue[tuple[str, bool | str]],
) -> None:
    try:
        won = asyncio.run(_race(url, schema, what, subscription_id, now, owner, start))
        results.put((owner, won))
    except Exception as exc:  # reported to the parent, which fails the test
        results.put((owner, f"{type(exc).__name__}: {exc}"))
