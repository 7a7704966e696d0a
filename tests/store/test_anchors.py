"""Delivery anchors in the database: upserted (the later state wins), JSON kept, found in bulk,
forgotten by subject or age, and written with completions (SQLite; PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.delivery import Anchor, AnchorKey, AnchorWrite, ClaimKey, Completion, Receipt
from bot.store import Store

from .claims import claim_one
from .conftest import NOW, Database

THREAD = AnchorKey("notify-thread", "7", "page:123")
MERGE = AnchorKey("notify-merge", "7", "page:123:acc-1")
DM = AnchorKey("personal-dm", "T1:U1", "feed")


def anchor(key: AnchorKey, ts: str = "1.000100", minutes: int = 0, **data: object) -> Anchor:
    return Anchor(
        key=key,
        channel_id="C1",
        ts=ts,
        opened_at=NOW,
        updated_at=NOW + timedelta(minutes=minutes),
        names=("7@page:123@1", "7@page:123@2"),
        data=data,
    )


async def test_put_and_get_many_keep_every_field(store: Store) -> None:
    written = [anchor(THREAD, versions=[1, 2], title="Ünïcode"), anchor(DM, "2.0")]
    await store.anchors.put(written)
    found = await store.anchors.get_many([THREAD, MERGE, DM])
    assert found == {THREAD: written[0], DM: written[1]}
    assert found[THREAD].data == {"versions": [1, 2], "title": "Ünïcode"}
    assert found[THREAD].names == ("7@page:123@1", "7@page:123@2")
    assert await store.anchors.get_many([]) == {}


async def test_the_later_write_wins_and_an_older_one_is_ignored(store: Store) -> None:
    await store.anchors.put([anchor(MERGE, "1.0", 0, versions=[1])])
    await store.anchors.put([anchor(MERGE, "1.0", 2, versions=[1, 2])])
    await store.anchors.put([anchor(MERGE, "9.9", 1, versions=[1])])  # older: ignored
    # Two writes of one key in one call: the later counts.
    await store.anchors.put(
        [anchor(THREAD, "3.0", 5, n=2), anchor(THREAD, "3.0", 4, n=1)],
    )
    found = await store.anchors.get_many([MERGE, THREAD])
    assert (found[MERGE].ts, found[MERGE].data) == ("1.0", {"versions": [1, 2]})
    assert found[THREAD].data == {"n": 2}


async def test_delete_by_subject_and_by_age(store: Store) -> None:
    other = AnchorKey("notify-thread", "8", "page:123")
    await store.anchors.put(
        [anchor(THREAD), anchor(MERGE), anchor(other, minutes=30), anchor(DM, minutes=-60)]
    )
    await store.anchors.delete_subject("notify-thread", "7")
    assert set(await store.anchors.get_many([THREAD, MERGE, other, DM])) == {MERGE, other, DM}
    assert await store.anchors.delete_before("notify-thread", NOW + timedelta(minutes=10)) == 0
    assert await store.anchors.delete_before("notify-merge", NOW + timedelta(minutes=10)) == 1
    assert await store.anchors.delete_before("personal-dm", NOW) == 1
    assert set(await store.anchors.get_many([THREAD, MERGE, other, DM])) == {other}


async def test_anchors_are_written_with_the_completions(store: Store) -> None:
    key = ClaimKey("notify", "7", "page:123@1")
    claim = await claim_one(store, key, "a", 60, NOW)
    assert claim is not None
    done = Completion.delivered(claim, Receipt("C1", "1.000100"), NOW)
    assert await store.deliveries.complete([done], [AnchorWrite(anchor(THREAD))]) == []
    assert await store.anchors.get_many([THREAD]) == {THREAD: anchor(THREAD)}


async def test_racing_processes_leave_the_latest_anchor(store: Store, database: Database) -> None:
    stores = [database.open() for _ in range(6)]
    try:
        await asyncio.gather(
            *(
                s.anchors.put([anchor(THREAD, f"{i}.0", i), anchor(DM, f"{i}.0", i)])
                for i, s in enumerate(stores)
            )
        )
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    found = await store.anchors.get_many([THREAD, DM])
    assert (found[THREAD].ts, found[DM].ts) == ("5.0", "5.0")
