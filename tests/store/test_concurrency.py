"""Racing claimers on one database: separate engines in one process, and separate processes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.delivery import Receipt
from bot.store import Schedule, Store
from tests import children

from . import workers
from .claims import claim_one, delivered
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
                    claim_one(s, workers.key(sub_id), f"owner-{i}", 60, NOW)
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
    first = await claim_one(store, workers.key(sub_id), "first", 60, NOW)
    assert first is not None
    stores = [database.open() for _ in range(TASKS)]
    later = first.lease_expires_at
    try:
        claims = await asyncio.gather(
            *(claim_one(s, workers.key(sub_id), f"o{i}", 60, later) for i, s in enumerate(stores))
        )
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    winners = [c for c in claims if c is not None]
    assert len(winners) == 1
    assert not await delivered(store, first, RECEIPT, later)
    assert await delivered(store, winners[0], RECEIPT, later)


@pytest.mark.parametrize("claim", ["delivery", "event"])
async def test_exactly_one_process_wins(store: Store, database: Database, claim: str) -> None:
    sub_id = await _subscription_id(store)
    outcomes = await children.race(
        workers.race,
        [
            (database.url, database.schema, claim, sub_id, NOW, f"proc-{i}")
            for i in range(PROCESSES)
        ],
    )
    assert all(isinstance(won, bool) for won in outcomes.values()), outcomes
    assert list(outcomes.values()).count(True) == 1, outcomes
    if claim == "delivery":
        row = await store.deliveries.get(workers.key(sub_id))
        winner = next(owner for owner, won in outcomes.items() if won)
        assert row is not None and row.claimed_by == winner


@pytest.mark.parametrize("round", ["fresh", "taken over"])
async def test_overlapping_batches_in_processes_claim_each_key_once(
    store: Store, database: Database, round: str
) -> None:
    # Each process claims 300 keys in one call; neighbours share 200 of them.
    batches = [range(n * 100, n * 100 + 300) for n in range(PROCESSES)]
    every = set(range(0, PROCESSES * 100 + 200))
    now = NOW
    if round == "taken over":  # every key held by a process that died: all leases run out
        dead = await store.deliveries.claim([workers.batch_key(n) for n in every], "dead", 60, NOW)
        assert len(dead) == len(every)
        now = NOW + timedelta(seconds=60)
    outcomes = await children.race(
        workers.claim_batch,
        [
            (database.url, database.schema, batch, now, f"proc-{i}")
            for i, batch in enumerate(batches)
        ],
    )
    assert all(isinstance(won, list) for won in outcomes.values()), outcomes
    won = [n for numbers in outcomes.values() for n in numbers]
    assert sorted(won) == sorted(every)  # each key claimed exactly once
    for i, batch in enumerate(batches):
        assert set(outcomes[f"proc-{i}"]) <= set(batch)
    for owner, numbers in outcomes.items():  # one may find all of its keys taken
        for n in numbers[:1]:
            row = await store.deliveries.get(workers.batch_key(n))
            assert row is not None and row.claimed_by == owner
