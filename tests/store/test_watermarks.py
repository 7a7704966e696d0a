"""Poll group watermarks: seeded once, advanced never backwards, written with completions, and
race-free between processes (SQLite; PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.delivery import ClaimKey, Completion, Receipt
from bot.polling import WatermarkAdvance
from bot.store import Store

from .claims import claim_one
from .conftest import NOW, Database

A, B = "notify:conn-1:ENG,OPS", "personal:T1:U1"


async def test_seed_sets_a_watermark_only_once(store: Store) -> None:
    assert await store.watermarks.get_many([A, B]) == {}
    await store.watermarks.seed(A, NOW)
    await store.watermarks.seed(A, NOW + timedelta(hours=1))  # already there: kept
    assert await store.watermarks.get_many([A, B]) == {A: NOW}
    assert await store.watermarks.get_many([]) == {}


async def test_advance_moves_forward_creates_and_never_goes_back(store: Store) -> None:
    await store.watermarks.seed(A, NOW)
    later = NOW + timedelta(minutes=1)
    await store.watermarks.advance([WatermarkAdvance(A, later), WatermarkAdvance(B, NOW)])
    assert await store.watermarks.get_many([A, B]) == {A: later, B: NOW}
    # A slow round finishing after a faster one: its older watermark is ignored.
    await store.watermarks.advance([WatermarkAdvance(A, NOW)])
    # One key twice in one call: the later counts, whatever the order.
    latest = NOW + timedelta(minutes=5)
    await store.watermarks.advance(
        [WatermarkAdvance(B, latest), WatermarkAdvance(B, NOW + timedelta(minutes=2))]
    )
    assert await store.watermarks.get_many([A, B]) == {A: later, B: latest}
    await store.watermarks.advance([])


async def test_delete_forgets_groups(store: Store) -> None:
    await store.watermarks.advance([WatermarkAdvance(A, NOW), WatermarkAdvance(B, NOW)])
    await store.watermarks.delete([A, "never-seen"])
    await store.watermarks.delete([])
    assert await store.watermarks.get_many([A, B]) == {B: NOW}


async def test_advances_are_written_with_the_completions(store: Store) -> None:
    key = ClaimKey("notify", "1", "page:1@3")
    claim = await claim_one(store, key, "a", 60, NOW)
    assert claim is not None
    done = Completion.delivered(claim, Receipt("C1", "1.0"), NOW)
    to = NOW + timedelta(minutes=1)
    assert await store.deliveries.complete([done], [WatermarkAdvance(A, to)]) == []
    assert await store.watermarks.get_many([A]) == {A: to}
    record = await store.deliveries.get(key)
    assert record is not None and record.status == "delivered"


async def test_racing_processes_leave_the_latest_watermark(
    store: Store, database: Database
) -> None:
    keys = [f"personal:T1:U{n}" for n in range(20)]
    stores = [database.open() for _ in range(6)]
    try:
        rounds = [
            [WatermarkAdvance(k, NOW + timedelta(seconds=i)) for k in reversed(keys)]
            if i % 2
            else [WatermarkAdvance(k, NOW + timedelta(seconds=i)) for k in keys]
            for i in range(len(stores))
        ]
        await asyncio.gather(
            *(s.watermarks.advance(r) for s, r in zip(stores, rounds, strict=True))
        )
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    newest = NOW + timedelta(seconds=len(stores) - 1)
    assert await store.watermarks.get_many(keys) == dict.fromkeys(keys, newest)
