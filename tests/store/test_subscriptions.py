from __future__ import annotations

from datetime import timedelta

import pytest

from bot.delivery import ClaimKey, Receipt
from bot.store import LastDelivered, Schedule, Store, UpsertResult

from .claims import claim_one, delivered
from .conftest import NOW

DAILY = Schedule("daily", 9, 0, "Europe/Berlin")


async def _subscribe(
    store: Store,
    channel_id: str = "C1",
    space_key: str = "ENG",
    schedule: Schedule = DAILY,
    created_by: str = "U1",
    team_id: str = "T1",
) -> UpsertResult:
    return await store.subscriptions.upsert(
        team_id=team_id,
        channel_id=channel_id,
        space_key=space_key,
        space_id=f"id-{space_key}",
        schedule=schedule,
        created_by=created_by,
        connection_id=f"conn-{created_by}",
        now=NOW,
    )


async def test_upsert_creates_then_updates_the_same_subscription(store: Store) -> None:
    first = await _subscribe(store)
    assert first.created
    sub = first.subscription
    assert (sub.team_id, sub.channel_id, sub.space_key, sub.space_id) == (
        "T1",
        "C1",
        "ENG",
        "id-ENG",
    )
    assert (sub.schedule, sub.paused, sub.last_delivered_at) == (DAILY, False, None)
    assert (sub.created_at, sub.updated_at, sub.connection_id) == (NOW, NOW, "conn-U1")

    weekly = Schedule("weekly", 17, 45, "America/New_York", weekday=4)
    later = NOW + timedelta(days=1)
    await store.subscriptions.pause(sub.id, "space not found", now=NOW)
    second = await store.subscriptions.upsert(
        team_id="T1",
        channel_id="C1",
        space_key="ENG",
        space_id="id-ENG",
        schedule=weekly,
        created_by="U2",
        connection_id="conn-U2",
        now=later,
    )
    assert not second.created
    updated = second.subscription
    assert updated.id == sub.id
    assert (updated.schedule, updated.created_by, updated.connection_id) == (
        weekly,
        "U2",
        "conn-U2",
    )
    assert (updated.paused, updated.paused_reason) == (False, None)
    assert (updated.created_at, updated.updated_at) == (NOW, later)
    assert await store.subscriptions.list_all() == [updated]


async def test_listing(store: Store) -> None:
    a = (await _subscribe(store, "C1", "ENG", created_by="U1")).subscription
    b = (await _subscribe(store, "C1", "OPS", created_by="U2")).subscription
    c = (await _subscribe(store, "C2", "ENG", created_by="U1")).subscription
    other_team = (await _subscribe(store, "C1", "ENG", team_id="T2")).subscription
    assert await store.subscriptions.list_by_channel("T1", "C1") == [a, b]
    assert await store.subscriptions.list_by_creator("T1", "U1") == [a, c]
    assert await store.subscriptions.list_by_channel("T2", "C1") == [other_team]
    assert await store.subscriptions.get(b.id) == b
    assert await store.subscriptions.get(10_000) is None

    assert await store.subscriptions.pause(b.id, "connection stale")
    assert [s.id for s in await store.subscriptions.list_active()] == [a.id, c.id, other_team.id]
    paused = await store.subscriptions.get(b.id)
    assert paused is not None and (paused.paused, paused.paused_reason) == (
        True,
        "connection stale",
    )
    assert await store.subscriptions.resume(b.id)
    assert len(await store.subscriptions.list_active()) == 4


async def test_delete_one_and_all_in_channel(store: Store) -> None:
    a = (await _subscribe(store, "C1", "ENG")).subscription
    await _subscribe(store, "C1", "OPS")
    keep = (await _subscribe(store, "C2", "ENG")).subscription
    assert await store.subscriptions.delete(a.id)
    assert not await store.subscriptions.delete(a.id)
    assert await store.subscriptions.delete_channel("T1", "C1") == 1
    assert await store.subscriptions.delete_channel("T1", "C1") == 0
    assert await store.subscriptions.list_all() == [keep]


async def test_last_delivered_is_written_with_delivery_records(store: Store) -> None:
    sub = (await _subscribe(store)).subscription
    other = (await _subscribe(store, "C2")).subscription
    window_end = NOW + timedelta(hours=3)
    advances = [LastDelivered(sub.id, window_end, window_end), LastDelivered(999, NOW, NOW)]
    assert await store.deliveries.complete([], advances) == []
    got = await store.subscriptions.get(sub.id)
    assert got is not None and (got.last_delivered_at, got.updated_at) == (window_end, window_end)
    untouched = await store.subscriptions.get(other.id)
    assert untouched == other


async def test_unknown_ids_report_false(store: Store) -> None:
    assert not await store.subscriptions.pause(404, "x")
    assert not await store.subscriptions.resume(404)


def _key(subscription_id: int, item: str = "2024-05-06", kind: str = "digest") -> ClaimKey:
    return ClaimKey(kind, str(subscription_id), item)


async def test_deleting_a_subscription_deletes_its_deliveries(store: Store) -> None:
    sub = (await _subscribe(store)).subscription
    other = (await _subscribe(store, channel_id="C2")).subscription
    assert await claim_one(store, _key(sub.id), "p1", 60, NOW)
    assert await claim_one(store, _key(other.id), "p1", 60, NOW)
    # Another kind of delivery for the same subject number is not the digest's.
    assert await claim_one(store, _key(sub.id, kind="notify"), "p1", 60, NOW)
    await store.subscriptions.delete(sub.id)
    assert await store.deliveries.get(_key(sub.id)) is None
    assert await store.deliveries.get(_key(other.id)) is not None
    assert await store.deliveries.get(_key(sub.id, kind="notify")) is not None


async def test_unsubscribing_a_channel_deletes_its_deliveries(store: Store) -> None:
    sub = (await _subscribe(store)).subscription
    elsewhere = (await _subscribe(store, channel_id="C2")).subscription
    for s in (sub, elsewhere):
        claim = await claim_one(store, _key(s.id), "p1", 60, NOW)
        assert claim is not None
        assert await delivered(store, claim, Receipt(s.channel_id, "1.0"), NOW)
    assert await store.subscriptions.delete_channel("T1", "C1") == 1
    assert await store.deliveries.get(_key(sub.id)) is None
    assert await store.deliveries.get(_key(elsewhere.id)) is not None


async def test_a_reused_subscription_id_starts_with_no_deliveries(store: Store) -> None:
    # SQLite may give a new row the id of the last one deleted: its periods must not carry over.
    sub = (await _subscribe(store)).subscription
    claim = await claim_one(store, _key(sub.id), "p1", 60, NOW)
    assert claim is not None
    assert await delivered(store, claim, Receipt("C1", "1.0"), NOW)
    await store.subscriptions.delete(sub.id)
    again = (await _subscribe(store)).subscription
    assert await claim_one(store, _key(again.id), "p2", 60, NOW) is not None


@pytest.mark.parametrize(
    ("kind", "weekday", "hour", "minute"),
    [("weekly", None, 9, 0), ("daily", 2, 9, 0), ("daily", None, 24, 0), ("hourly", None, 9, 0)],
)
def test_invalid_schedules_are_refused(
    kind: str, weekday: int | None, hour: int, minute: int
) -> None:
    with pytest.raises(ValueError):
        Schedule(kind, hour, minute, "UTC", weekday)  # type: ignore[arg-type]
