"""Saves in progress: one per thread, a lease that frees a dead holder's thread, an intent to
adopt the page it may have created."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import timedelta

from bot.store import Store
from bot.store.leases import holder_is_gone, new_owner

from .conftest import NOW, Database

KEY = ("T1", "C1", "1700000000.000100")
LEASE = 60.0


def _alive(_owner: str) -> bool:
    return False  # "gone" never: only the lease's time decides


async def _claim(store: Store, owner: str, *, resuming: bool = False, at: timedelta = timedelta()):  # type: ignore[no-untyped-def]
    return await store.saves.claim(
        KEY,
        owner=owner,
        request='{"title": "x"}',
        user_id="U1",
        lease_seconds=LEASE,
        resuming=resuming,
        now=NOW + at,
        gone=_alive,
    )


async def test_one_save_per_thread_until_the_lease_runs_out(store: Store) -> None:
    first = await _claim(store, "a")
    assert first is not None and first.left is None
    assert await _claim(store, "b", at=timedelta(seconds=30)) is None
    assert await store.saves.renew(KEY, "a", LEASE, now=NOW + timedelta(seconds=50))
    assert await _claim(store, "b", at=timedelta(seconds=100)) is None  # renewed
    taken = await _claim(store, "b", resuming=True, at=timedelta(seconds=111))
    assert taken is not None and taken.left is not None and taken.left.owner == "a"
    assert not await store.saves.renew(KEY, "a", LEASE, now=NOW + timedelta(seconds=112))
    row = await store.saves.get(KEY)
    assert row is not None and row.owner == "b" and row.resumes == 1


async def test_a_gone_holder_is_taken_over_at_once(store: Store) -> None:
    assert await _claim(store, "dead") is not None
    taken = await store.saves.claim(
        KEY,
        owner="b",
        request="{}",
        user_id="U2",
        lease_seconds=LEASE,
        now=NOW + timedelta(seconds=1),
        gone=lambda owner: owner == "dead",
    )
    assert taken is not None and taken.left is not None and taken.left.owner == "dead"


async def test_intent_and_page_are_kept_for_the_next_save(store: Store) -> None:
    assert await _claim(store, "a") is not None
    assert await store.saves.creating(KEY, "a", "Title", "100", now=NOW)
    assert await store.saves.created(KEY, "a", "555", now=NOW)
    await store.saves.fail(KEY, "a", now=NOW + timedelta(seconds=5))
    row = await store.saves.get(KEY)
    assert row is not None and row.status == "failed"
    assert (row.create_title, row.create_space_id, row.page_id) == ("Title", "100", "555")
    assert (
        await store.saves.stalled(NOW + timedelta(hours=1), gone=_alive) == []
    )  # told: not resumed
    again = await _claim(store, "b", at=timedelta(seconds=6))  # the user saves again
    assert again is not None and again.left is not None and again.left.page_id == "555"
    assert await store.saves.finish(KEY, "b")
    assert await store.saves.get(KEY) is None


async def test_a_failure_before_any_page_leaves_nothing(store: Store) -> None:
    assert await _claim(store, "a") is not None
    await store.saves.fail(KEY, "a", now=NOW)
    assert await store.saves.get(KEY) is None


async def test_stalled_lists_running_saves_whose_holder_is_gone_or_late(store: Store) -> None:
    assert await _claim(store, "a") is not None
    assert await store.saves.stalled(NOW + timedelta(seconds=10), gone=_alive) == []
    [late] = await store.saves.stalled(NOW + timedelta(seconds=61), gone=_alive)
    assert late.owner == "a"
    [gone] = await store.saves.stalled(NOW, gone=lambda owner: owner == "a")
    assert gone.owner == "a"


async def test_racing_claims_have_one_winner(database: Database) -> None:
    stores = [database.open() for _ in range(4)]
    try:
        await stores[0].migrate()
        assert await _claim(stores[0], "dead") is not None
        results = await asyncio.gather(
            *(_claim(s, f"w{i}", at=timedelta(seconds=61)) for i, s in enumerate(stores))
        )
        assert sum(r is not None for r in results) == 1
    finally:
        for s in stores:
            await s.close()


def test_holders_on_this_machine_are_gone_when_their_process_is() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    mine = new_owner()
    where, pid, _ = mine.split(":")
    assert not holder_is_gone(mine)
    assert holder_is_gone(f"{where}:{child.pid}:abcd1234")  # exited (and reaped)
    assert holder_is_gone(f"{where}:{pid}:0000beef")  # our pid, a predecessor's token
    assert not holder_is_gone(f"elsewhere:{child.pid}:abcd1234")  # another machine: the lease
    assert not holder_is_gone("not an owner")
