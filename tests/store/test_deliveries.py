"""The deliveries table as delivery's ClaimStore: one claim per key, leases, retries, receipts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.delivery import ClaimKey, Receipt
from bot.store import Schedule, Store

from .conftest import NOW

PERIOD = "2024-05-06"
SENT = Receipt("C1", "1714986000.000100")


@pytest.fixture
async def key(store: Store) -> ClaimKey:
    result = await store.subscriptions.upsert(
        team_id="T1",
        channel_id="C1",
        space_key="ENG",
        space_id="1",
        schedule=Schedule("daily", 9, 0, "UTC"),
        created_by="U1",
        now=NOW,
    )
    return ClaimKey("digest", str(result.subscription.id), PERIOD)


def _other(key: ClaimKey, **change: str) -> ClaimKey:
    fields = {"kind": key.kind, "subject": key.subject, "item": key.item, **change}
    return ClaimKey(**fields)


async def test_first_claim_wins_and_live_claim_blocks_others(store: Store, key: ClaimKey) -> None:
    claim = await store.deliveries.try_claim(key, "proc-a", 300, now=NOW)
    assert claim is not None
    assert (claim.key, claim.owner, claim.attempts, claim.taken_over) == (key, "proc-a", 0, False)
    assert claim.lease_expires_at == NOW + timedelta(seconds=300)
    almost = NOW + timedelta(seconds=299)
    assert await store.deliveries.try_claim(key, "proc-b", 300, now=almost) is None
    assert await store.deliveries.try_claim(key, "proc-a", 300, now=almost) is None
    assert await store.deliveries.try_claim(_other(key, item="2024-05-07"), "proc-b", 300, now=NOW)
    row = await store.deliveries.get(key)
    assert row is not None and (row.status, row.claimed_by) == ("claimed", "proc-a")


async def test_kinds_and_subjects_are_claimed_apart(store: Store, key: ClaimKey) -> None:
    assert await store.deliveries.try_claim(key, "proc-a", 300, now=NOW)
    for other in (_other(key, kind="notify"), _other(key, subject="999")):
        claim = await store.deliveries.try_claim(other, "proc-b", 300, now=NOW)
        assert claim is not None and claim.key == other


async def test_delivered_is_never_claimed_again(store: Store, key: ClaimKey) -> None:
    claim = await store.deliveries.try_claim(key, "proc-a", 300, now=NOW)
    assert claim is not None
    assert await store.deliveries.mark_delivered(claim, SENT, now=NOW)
    row = await store.deliveries.get(key)
    assert row is not None
    assert (row.status, row.channel_id, row.message_ts, row.lease_expires_at) == (
        "delivered",
        "C1",
        "1714986000.000100",
        None,
    )
    for later in (NOW, NOW + timedelta(days=30)):
        assert await store.deliveries.try_claim(key, "proc-b", 300, now=later) is None
        assert (
            await store.deliveries.try_claim(key, "proc-b", 300, later, skip_backoff=True) is None
        )
    assert not await store.deliveries.mark_delivered(claim, Receipt("C1", "again"), now=NOW)


async def test_expired_lease_is_taken_over_and_old_owner_loses(store: Store, key: ClaimKey) -> None:
    old = await store.deliveries.try_claim(key, "proc-a", 60, now=NOW)
    assert old is not None
    expired = NOW + timedelta(seconds=60)
    new = await store.deliveries.try_claim(key, "proc-b", 60, now=expired)
    assert new is not None and new.owner == "proc-b" and new.taken_over
    assert not await store.deliveries.mark_delivered(old, Receipt("C1", "ts-old"), now=expired)
    assert not await store.deliveries.release_failed(old, "late", expired, now=expired)
    assert await store.deliveries.mark_delivered(new, Receipt("C1", "ts-new"), now=expired)
    row = await store.deliveries.get(key)
    assert row is not None and (row.claimed_by, row.message_ts) == ("proc-b", "ts-new")


async def test_same_owner_cannot_finish_with_a_superseded_claim(
    store: Store, key: ClaimKey
) -> None:
    first = await store.deliveries.try_claim(key, "proc-a", 60, now=NOW)
    second = await store.deliveries.try_claim(key, "proc-a", 60, now=NOW + timedelta(seconds=61))
    assert first is not None and second is not None
    assert not await store.deliveries.mark_delivered(first, SENT, now=NOW)
    assert await store.deliveries.mark_delivered(second, SENT, now=NOW)


async def test_failed_is_reclaimable_after_next_attempt_at(store: Store, key: ClaimKey) -> None:
    claim = await store.deliveries.try_claim(key, "proc-a", 60, now=NOW)
    assert claim is not None
    retry_at = NOW + timedelta(minutes=5)
    assert await store.deliveries.release_failed(claim, "Slack 500", retry_at, now=NOW)
    row = await store.deliveries.get(key)
    assert row is not None
    assert (row.status, row.attempts, row.error, row.next_attempt_at) == (
        "failed",
        1,
        "Slack 500",
        retry_at,
    )
    early = retry_at - timedelta(seconds=1)
    assert await store.deliveries.try_claim(key, "proc-b", 60, now=early) is None
    again = await store.deliveries.try_claim(key, "proc-b", 60, now=retry_at)
    assert again is not None and (again.owner, again.attempts, again.taken_over) == (
        "proc-b",
        1,
        True,
    )
    assert not await store.deliveries.release_failed(claim, "stale owner", retry_at, now=retry_at)
    assert await store.deliveries.release_failed(again, "again", retry_at, now=retry_at)
    row = await store.deliveries.get(key)
    assert row is not None and row.attempts == 2


async def test_a_user_may_retry_a_failed_attempt_inside_its_backoff(
    store: Store, key: ClaimKey
) -> None:
    claim = await store.deliveries.try_claim(key, "proc-a", 60, now=NOW)
    assert claim is not None
    await store.deliveries.release_failed(claim, "Slack 500", NOW + timedelta(hours=1), now=NOW)
    assert await store.deliveries.try_claim(key, "proc-b", 60, now=NOW) is None
    again = await store.deliveries.try_claim(key, "proc-b", 60, NOW, skip_backoff=True)
    assert again is not None and again.taken_over


async def test_unknown_delivery(store: Store, key: ClaimKey) -> None:
    assert await store.deliveries.get(_other(key, item="never")) is None


async def test_owners_name_this_process_and_differ(store: Store) -> None:
    first, second = store.deliveries.new_owner(), store.deliveries.new_owner()
    assert first != second and first.rsplit(":", 2)[0] == second.rsplit(":", 2)[0]
