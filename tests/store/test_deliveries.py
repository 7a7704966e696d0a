"""The deliveries table as delivery's ClaimStore: claims in bulk, completions in batches, leases,
retries, receipts, followups, and how many transactions each takes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.delivery import Claim, ClaimKey, Completion, Receipt
from bot.store import LastDelivered, Schedule, Store

from .claims import claim_one
from .claims import delivered as record_delivered
from .claims import failed as record_failed
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


class Transactions:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, conn: Any) -> None:
        self.count += 1


@pytest.fixture
def transactions(store: Store) -> Iterator[Transactions]:
    counted = Transactions()
    sa.event.listen(store.engine.sync_engine, "begin", counted)
    yield counted
    sa.event.remove(store.engine.sync_engine, "begin", counted)


async def test_first_claim_wins_and_live_claim_blocks_others(store: Store, key: ClaimKey) -> None:
    claim = await claim_one(store, key, "proc-a", 300, NOW)
    assert claim is not None
    assert (claim.key, claim.owner, claim.attempts, claim.taken_over) == (key, "proc-a", 0, False)
    assert claim.lease_expires_at == NOW + timedelta(seconds=300)
    almost = NOW + timedelta(seconds=299)
    assert await claim_one(store, key, "proc-b", 300, almost) is None
    assert await claim_one(store, key, "proc-a", 300, almost) is None
    assert await claim_one(store, key, "proc-a", 300, NOW) is None  # same owner, same lease end
    assert await claim_one(store, _other(key, item="2024-05-07"), "proc-b", 300, NOW)
    row = await store.deliveries.get(key)
    assert row is not None and (row.status, row.claimed_by) == ("claimed", "proc-a")


async def test_kinds_and_subjects_are_claimed_apart(store: Store, key: ClaimKey) -> None:
    assert await claim_one(store, key, "proc-a", 300, NOW)
    for other in (_other(key, kind="notify"), _other(key, subject="999")):
        claim = await claim_one(store, other, "proc-b", 300, NOW)
        assert claim is not None and claim.key == other


async def test_delivered_is_never_claimed_again(store: Store, key: ClaimKey) -> None:
    claim = await claim_one(store, key, "proc-a", 300, NOW)
    assert claim is not None
    assert await delivered(store, claim)
    row = await store.deliveries.get(key)
    assert row is not None
    assert (row.status, row.channel_id, row.message_ts, row.lease_expires_at) == (
        "delivered",
        "C1",
        "1714986000.000100",
        None,
    )
    for later in (NOW, NOW + timedelta(days=30)):
        assert await claim_one(store, key, "proc-b", 300, later) is None
        assert await claim_one(store, key, "proc-b", 300, later, skip_backoff=True) is None
    assert not await delivered(store, claim, Receipt("C1", "again"))


async def test_expired_lease_is_taken_over_and_old_owner_loses(store: Store, key: ClaimKey) -> None:
    old = await claim_one(store, key, "proc-a", 60, NOW)
    assert old is not None
    expired = NOW + timedelta(seconds=60)
    new = await claim_one(store, key, "proc-b", 60, expired)
    assert new is not None and new.owner == "proc-b" and new.taken_over
    assert not await delivered(store, old, Receipt("C1", "ts-old"), expired)
    assert not await failed(store, old, "late", expired, expired)
    assert await delivered(store, new, Receipt("C1", "ts-new"), expired)
    row = await store.deliveries.get(key)
    assert row is not None and (row.claimed_by, row.message_ts) == ("proc-b", "ts-new")


async def test_same_owner_cannot_finish_with_a_superseded_claim(
    store: Store, key: ClaimKey
) -> None:
    first = await claim_one(store, key, "proc-a", 60, NOW)
    second = await claim_one(store, key, "proc-a", 60, NOW + timedelta(seconds=61))
    assert first is not None and second is not None
    assert not await delivered(store, first)
    assert await delivered(store, second)


async def test_failed_is_reclaimable_after_its_retry_time(store: Store, key: ClaimKey) -> None:
    claim = await claim_one(store, key, "proc-a", 60, NOW)
    assert claim is not None
    retry_at = NOW + timedelta(minutes=5)
    assert await failed(store, claim, "Slack 500", retry_at)
    row = await store.deliveries.get(key)
    assert row is not None
    assert (row.status, row.attempts, row.error, row.next_attempt_at) == (
        "failed",
        1,
        "Slack 500",
        retry_at,
    )
    early = retry_at - timedelta(seconds=1)
    assert await claim_one(store, key, "proc-b", 60, early) is None
    again = await claim_one(store, key, "proc-b", 60, retry_at)
    assert again is not None and (again.owner, again.attempts, again.taken_over) == (
        "proc-b",
        1,
        True,
    )
    assert not await failed(store, claim, "stale owner", retry_at, retry_at)
    assert await failed(store, again, "again", retry_at, retry_at)
    row = await store.deliveries.get(key)
    assert row is not None and row.attempts == 2


async def test_a_user_may_retry_a_failed_attempt_inside_its_backoff(
    store: Store, key: ClaimKey
) -> None:
    claim = await claim_one(store, key, "proc-a", 60, NOW)
    assert claim is not None
    await failed(store, claim, "Slack 500", NOW + timedelta(hours=1))
    assert await claim_one(store, key, "proc-b", 60, NOW) is None
    again = await claim_one(store, key, "proc-b", 60, NOW, skip_backoff=True)
    assert again is not None and again.taken_over


async def test_one_claim_call_takes_what_is_free_and_leaves_the_rest(store: Store) -> None:
    keys = [ClaimKey("test", f"sub-{n}", "e") for n in range(6)]
    fresh, expired, due, backing_off, delivered_key, held = keys
    for k in (expired, due, backing_off, delivered_key, held):
        assert await claim_one(store, k, "old", 60, NOW)
    later = NOW + timedelta(seconds=30)
    [due_claim, backing_claim, done_claim] = await store.deliveries.claim(
        [due, backing_off, delivered_key], "old", 0, NOW + timedelta(seconds=60)
    )
    assert await failed(store, due_claim, "500", later)
    assert await failed(store, backing_claim, "500", NOW + timedelta(hours=1))
    assert await delivered(store, done_claim)
    assert await claim_one(store, held, "other", 600, NOW + timedelta(seconds=60))

    moment = NOW + timedelta(seconds=90)
    claims = await store.deliveries.claim([*keys, fresh], "mine", 300, moment)  # fresh twice
    got = {c.key: (c.taken_over, c.attempts) for c in claims}
    assert got == {fresh: (False, 0), expired: (True, 0), due: (True, 1)}
    assert all(
        c.owner == "mine" and c.lease_expires_at == moment + timedelta(seconds=300) for c in claims
    )


async def test_a_batch_of_completions_reports_exactly_the_lost_claims(store: Store) -> None:
    keys = [ClaimKey("test", f"sub-{n}", "e") for n in range(5)]
    claims = await store.deliveries.claim(keys, "mine", 60, NOW)
    assert len(claims) == 5
    expired = NOW + timedelta(seconds=60)
    taken = await store.deliveries.claim(keys[3:], "thief", 60, expired)
    assert [c.key for c in taken] == keys[3:]
    receipt = Receipt("C1", "1.0")
    lost = await store.deliveries.complete(
        [
            Completion.delivered(claims[0], receipt, expired),
            Completion.failed(claims[1], "ratelimited", expired + timedelta(minutes=1), expired),
            Completion.delivered(claims[2], Receipt("C2", ""), expired),
            Completion.delivered(claims[3], receipt, expired),
            Completion.failed(claims[4], "500", expired, expired),
        ]
    )
    assert lost == claims[3:]
    rows = [await store.deliveries.get(k) for k in keys]
    assert [(r.status, r.claimed_by, r.attempts) for r in rows if r] == [
        ("delivered", "mine", 0),
        ("failed", "mine", 1),
        ("delivered", "mine", 0),
        ("claimed", "thief", 0),
        ("claimed", "thief", 0),
    ]
    first, second = rows[0], rows[1]
    assert first is not None and (first.channel_id, first.message_ts, first.updated_at) == (
        "C1",
        "1.0",
        expired,
    )
    assert second is not None and (second.error, second.next_attempt_at) == (
        "ratelimited",
        expired + timedelta(minutes=1),
    )


async def test_a_failure_after_a_delivery_keeps_where_it_went(store: Store, key: ClaimKey) -> None:
    # A retried delivery that failed again still names its earlier receipt, if it had one.
    claim = await claim_one(store, key, "a", 60, NOW)
    assert claim is not None and await failed(store, claim, "500", NOW)
    row = await store.deliveries.get(key)
    assert row is not None and (row.channel_id, row.message_ts, row.error) == (None, None, "500")


async def test_followups_are_written_with_the_completions(store: Store, key: ClaimKey) -> None:
    sub_id = int(key.subject)
    claim = await claim_one(store, key, "a", 60, NOW)
    assert claim is not None
    window_end = NOW + timedelta(seconds=20)
    lost = await store.deliveries.complete(
        [Completion.delivered(claim, SENT, NOW)],
        [LastDelivered(sub_id, NOW, NOW), LastDelivered(sub_id, window_end, window_end)],
    )
    assert lost == []
    sub = await store.subscriptions.get(sub_id)
    assert sub is not None and (sub.last_delivered_at, sub.updated_at) == (window_end, window_end)
    # Followups are written even when the claim was lost (the message went out).
    await store.deliveries.complete(
        [Completion.delivered(claim, SENT, NOW)], [LastDelivered(sub_id, NOW, NOW)]
    )
    sub = await store.subscriptions.get(sub_id)
    assert sub is not None and sub.last_delivered_at == NOW


async def test_an_unknown_followup_is_refused_before_anything_is_written(
    store: Store, key: ClaimKey
) -> None:
    claim = await claim_one(store, key, "a", 60, NOW)
    assert claim is not None
    with pytest.raises(TypeError, match="str"):
        await store.deliveries.complete([Completion.delivered(claim, SENT, NOW)], ["advance"])
    row = await store.deliveries.get(key)
    assert row is not None and row.status == "claimed"


async def test_a_thousand_claims_and_their_completions_take_one_transaction_each(
    store: Store, transactions: Transactions
) -> None:
    keys = [ClaimKey("digest", str(n), PERIOD) for n in range(1200)]  # more than one chunk
    claims = await store.deliveries.claim(keys, "a", 300, NOW)
    assert len(claims) == 1200 and transactions.count == 1
    assert await store.deliveries.claim(keys, "b", 300, NOW) == []
    assert transactions.count == 2
    completions = [Completion.delivered(c, Receipt("C1", c.key.subject), NOW) for c in claims]
    followups = [LastDelivered(n, NOW, NOW) for n in range(1200)]
    assert await store.deliveries.complete(completions, followups) == []
    assert transactions.count == 3
    assert await store.deliveries.claim([], "a", 300, NOW) == []
    assert await store.deliveries.complete([]) == []
    assert transactions.count == 3  # nothing to do, no transaction
    row = await store.deliveries.get(keys[-1])
    assert row is not None and (row.status, row.message_ts) == ("delivered", "1199")


async def test_unknown_delivery(store: Store, key: ClaimKey) -> None:
    assert await store.deliveries.get(_other(key, item="never")) is None


async def test_owners_name_this_process_and_differ(store: Store) -> None:
    first, second = store.deliveries.new_owner(), store.deliveries.new_owner()
    assert first != second and first.rsplit(":", 2)[0] == second.rsplit(":", 2)[0]


async def delivered(store: Store, claim: Claim, receipt: Receipt = SENT, at: Any = NOW) -> bool:
    return await record_delivered(store, claim, receipt, at)


async def failed(store: Store, claim: Claim, error: str, retry_at: Any, at: Any = NOW) -> bool:
    return await record_failed(store, claim, error, retry_at, at)
