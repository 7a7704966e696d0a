"""Racing claimers on one database: separate engines in one process, and separate processes."""

from __future__ import annotations

import asyncio
import multiprocessing
import queue

import pytest

from bot.delivery import Receipt
from bot.store import Schedule, Store
from tests import children

from . import workers
from .conftest import NOW, Database

TASKS = 8
RECEIPT = Receipt("C1", "ts")
PROCESSES = 4


async def _subscription_id(store: Store) -> int:
    result = await store.subscriptions.upsert(
        team_id="T1",
        channel_id="C1",
        space_key="ENG",
        space_id="1",
        schedule=Schedule("daily", 9, 0, "UTC"),
        created_by="U1",
        now=NOW,
    )
    return result.subscription.id


async def _race_in_tasks(database: Database, claim: str, sub_id: int) -> list[bool]:
    stores = [database.open() for _ in range(TASKS)]
    try:
        assert all(await asyncio.gather(*(s.ping() for s in stores)))
        if claim == "delivery":
            claims = await asyncio.gather(
                *(
                    s.deliveries.try_claim(workers.key(sub_id), f"owner-{i}", 60, NOW)
                    for i, s in enumerate(stores)
                )
            )
            return [c is not None for c in claims]
        return list(
            await asyncio.gather(*(s.events.claim(workers.EVENT_ID, 60, now=NOW) for s in stores))
        )
    finally:
        await asyncio.gather(*(s.close() for s in stores))


@pytest.mark.parametrize("claim", ["delivery", "event"])
async def test_exactly_one_task_wins(store: Store, database: Database, claim: str) -> None:
    sub_id = await _subscription_id(store)
    wins = await _race_in_tasks(database, claim, sub_id)
    assert wins.count(True) == 1, wins


async def test_expired_lease_race_has_one_winner(store: Store, database: Database) -> None:
    sub_id = await _subscription_id(store)
    first = await store.deliveries.try_claim(workers.key(sub_id), "first", 60, now=NOW)
    assert first is not None
    stores = [database.open() for _ in range(TASKS)]
    later = first.lease_expires_at
    try:
        claims = await asyncio.gather(
            *(
                s.deliveries.try_claim(workers.key(sub_id), f"o{i}", 60, later)
                for i, s in enumerate(stores)
            )
        )
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    winners = [c for c in claims if c is not None]
    assert len(winners) == 1
    assert not await store.deliveries.mark_delivered(first, RECEIPT, now=later)
    assert await store.deliveries.mark_delivered(winners[0], RECEIPT, now=later)


@pytest.mark.parametrize("claim", ["delivery", "event"])
async def test_exactly_one_process_wins(store: Store, database: Database, claim: str) -> None:
    sub_id = await _subscription_id(store)
    ctx = children.context()
    start = ctx.Barrier(PROCESSES)
    results: multiprocessing.Queue[tuple[str, bool | str]] = ctx.Queue()
    procs = [
        ctx.Process(
            target=workers.race,
            args=(database.url, database.schema, claim, sub_id, NOW, f"proc-{i}", start, results),
        )
        for i in range(PROCESSES)
    ]
    for proc in procs:
        proc.start()
    try:
        outcomes = dict(await asyncio.to_thread(_collect, results, PROCESSES))
    finally:
        for proc in procs:
            await asyncio.to_thread(proc.join, 30)
            if proc.is_alive():
                proc.kill()
    assert all(isinstance(won, bool) for won in outcomes.values()), outcomes
    assert list(outcomes.values()).count(True) == 1, outcomes
    if claim == "delivery":
        row = await store.deliveries.get(workers.key(sub_id))
        winner = next(owner for owner, won in outcomes.items() if won)
        assert row is not None and row.claimed_by == winner


def _collect(
    results: multiprocessing.Queue[tuple[str, bool | str]], count: int
) -> list[tuple[str, bool | str]]:
    collected = []
    for _ in range(count):
        try:
            collected.append(results.get(timeout=90))
        except queue.Empty:
            pytest.fail(f"only {len(collected)} of {count} processes reported: {collected}")
    return collected
