from __future__ import annotations

from datetime import timedelta

import pytest

from bot.store import Schedule, Store

from .conftest import NOW

PERIOD = "2024-05-06"


@pytest.fixture
async def sub_id(store: Store) -> int:
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


async def test_first_claim_wins_and_live_claim_blocks_others(store: Store, sub_id: int) -> None:
    claim = await store.deliveries.try_claim(sub_id, PERIOD, "proc-a", 300, now=NOW)
    assert claim is not None
    assert (claim.owner, claim.attempts) == ("proc-a", 0)
    assert claim.lease_expires_at == NOW + timedelta(seconds=300)
    almost = NOW + timedelta(seconds=299)
    assert await store.deliveries.try_claim(sub_id, PERIOD, "proc-b", 300, now=almost) is None
    assert await store.deliveries.try_claim(sub_id, PERIOD, "proc-a", 300, now=almost) is None
    assert await store.deliveries.try_claim(sub_id, "2024-05-07", "proc-b", 300, now=NOW)
    row = await store.deliveries.get(sub_id, PERIOD)
    assert row is not None and (row.status, row.claimed_by) == ("claimed", "proc-a")


async def test_delivered_is_never_claimed_again(store: Store, sub_id: int) -> None:
    claim = await store.deliveries.try_claim(sub_id, PERIOD, "proc-a", 300, now=NOW)
    assert claim is not None
    assert await store.deliveries.mark_delivered(claim, "1714986000.000100", now=NOW)
    row = await store.deliveries.get(sub_id, PERIOD)
    assert row is not None
    assert (row.status, row.slack_ts, row.lease_expires_at) == (
        "delivered",
        "1714986000.000100",
        None,
    )
    for later in (NOW, NOW + timedelta(days=30)):
        assert await store.deliveries.try_claim(sub_id, PERIOD, "proc-b", 300, now=later) is None
    assert not await store.deliveries.mark_delivered(claim, "again", now=NOW)


async def test_expired_lease_is_taken_over_and_old_owner_loses(store: Store, sub_id: int) -> None:
    old = await store.deliveries.try_claim(sub_id, PERIOD, "proc-a", 60, now=NOW)
    assert old is not None
    expired = NOW + timedelta(seconds=60)
    new = await store.deliveries.try_claim(sub_id, PERIOD, "proc-b", 60, now=expired)
    assert new is not None and new.owner == "proc-b"
    assert not await store.deliveries.mark_delivered(old, "ts-old", now=expired)
    assert not await store.deliveries.release_failed(old, "late", expired, now=expired)
    assert await store.deliveries.mark_delivered(new, "ts-new", now=expired)
    row = await store.deliveries.get(sub_id, PERIOD)
    assert row is not None and (row.claimed_by, row.slack_ts) == ("proc-b", "ts-new")


async def test_same_owner_cannot_finish_with_a_superseded_claim(store: Store, sub_id: int) -> None:
    first = await store.deliveries.try_claim(sub_id, PERIOD, "proc-a", 60, now=NOW)
    second = await store.deliveries.try_claim(
        sub_id, PERIOD, "proc-a", 60, now=NOW + timedelta(seconds=61)
    )
    assert first is not None and second is not None
    assert not await store.deliveries.mark_delivered(first, "ts", now=NOW)
    assert await store.deliveries.mark_delivered(second, "ts", now=NOW)


async def test_failed_is_reclaimable_after_next_attempt_at(store: Store, sub_id: int) -> None:
    claim = await store.deliveries.try_claim(sub_id, PERIOD, "proc-a", 60, now=NOW)
    assert claim is not None
    retry_at = NOW + timedelta(minutes=5)
    assert await store.deliveries.release_failed(claim, "Slack 500", retry_at, now=NOW)
    row = await store.deliveries.get(sub_id, PERIOD)
    assert row is not None
    assert (row.status, row.attempts, row.error, row.next_attempt_at) == (
        "failed",
        1,
        "Slack 500",
        retry_at,
    )
    early = retry_at - timedelta(seconds=1)
    assert await store.deliveries.try_claim(sub_id, PERIOD, "proc-b", 60, now=early) is None
    again = await store.deliveries.try_claim(sub_id, PERIOD, "proc-b", 60, now=retry_at)
    assert again is not None and (again.owner, again.attempts) == ("proc-b", 1)
    assert not await store.deliveries.release_failed(claim, "stale owner", retry_at, now=retry_at)
    assert await store.deliveries.release_failed(again, "again", retry_at, now=retry_at)
    row = await store.deliveries.get(sub_id, PERIOD)
    assert row is not None and row.attempts == 2


async def test_unknown_delivery(store: Store, sub_id: int) -> None:
    assert await store.deliveries.get(sub_id, "never") is None
