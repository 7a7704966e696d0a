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
            claims = await store.deliveries.claim([key(subscription_id)], owner, 60, now)
            return bool(claims)
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


def batch_key(n: int) -> ClaimKey:
    return ClaimKey("test", f"sub-{n:04d}", PERIOD)


async def _claim_batch(
    url: str, schema: str | None, numbers: range, now: datetime, owner: str, start: Barrier
) -> list[int]:
    store = Store.from_url(url, schema=schema)
    try:
        assert await store.ping()  # connect first, so the race is about the claims
        await asyncio.to_thread(start.wait, 60)
        claims = await store.deliveries.claim([batch_key(n) for n in numbers], owner, 60, now)
        return [int(claim.key.subject.removeprefix("sub-")) for claim in claims]
    finally:
        await store.close()


def claim_batch(
    url: str,
    schema: str | None,
    numbers: range,
    now: datetime,
    owner: str,
    start: Barrier,
    results: Queue[tuple[str, list[int] | str]],
) -> None:
    """Claim the keys numbered `numbers` in one call, once all racers are ready."""
    try:
        won = asyncio.run(_claim_batch(url, schema, numbers, now, owner, start))
        results.put((owner, won))
    except Exception as exc:  # reported to the parent, which fails the test
        results.put((owner, f"{type(exc).__name__}: {exc}"))
