from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.store import Store

from .conftest import NOW


async def test_first_claim_of_an_event_wins(store: Store) -> None:
    assert await store.events.claim("Ev1", 60, now=NOW)
    assert not await store.events.claim("Ev1", 60, now=NOW + timedelta(seconds=59))
    assert await store.events.claim("Ev2", 60, now=NOW)


async def test_expired_event_can_be_claimed_again_once(store: Store) -> None:
    assert await store.events.claim("Ev1", 60, now=NOW)
    later = NOW + timedelta(seconds=60)
    assert await store.events.claim("Ev1", 60, now=later)
    assert not await store.events.claim("Ev1", 60, now=later)


async def test_purge_removes_only_expired_events(store: Store) -> None:
    await store.events.claim("old", 10, now=NOW)
    await store.events.claim("new", 100, now=NOW)
    assert await store.events.purge_expired(now=NOW + timedelta(seconds=50)) == 1
    assert await store.purge_expired_events(now=NOW + timedelta(seconds=50)) == 0
    assert not await store.events.claim("new", 100, now=NOW + timedelta(seconds=50))
    assert await store.events.claim("old", 100, now=NOW + timedelta(seconds=50))


async def test_facade_shortcuts(store: Store) -> None:
    assert await store.claim_event("Ev9", 60, now=NOW)
    assert not await store.claim_event("Ev9", 60, now=NOW)
    assert await store.claim_once("k", 60, now=NOW)
    assert await store.remember_result("k", "page-1")
    assert await store.get_result("k", now=NOW) == "page-1"


async def test_other_time_zones_are_converted_not_misread(store: Store) -> None:
    plus_two = timezone(timedelta(hours=2))
    # 11:00+02:00 is NOW (09:00Z): with a 60 s TTL the claim is still live at 09:00:30Z.
    assert await store.events.claim("Ev1", 60, now=NOW.astimezone(plus_two))
    assert not await store.events.claim("Ev1", 60, now=NOW + timedelta(seconds=30))


async def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        await store.events.claim("Ev1", 60, now=datetime(2024, 1, 1))


async def test_default_clock_is_used_without_now(store: Store) -> None:
    assert await store.events.claim("Ev1", 3600)
    assert not await store.events.claim("Ev1", 3600, now=datetime.now(UTC))


async def test_idempotency_key_claimed_once_and_result_remembered(store: Store) -> None:
    assert await store.idempotency.claim_once("view:V1", 600, now=NOW)
    assert not await store.idempotency.claim_once("view:V1", 600, now=NOW)
    assert await store.idempotency.get_result("view:V1", now=NOW) is None  # still running
    assert await store.idempotency.remember_result("view:V1", "page-42")
    assert await store.idempotency.get_result("view:V1", now=NOW) == "page-42"


async def test_remember_result_needs_a_claim(store: Store) -> None:
    assert not await store.idempotency.remember_result("never-claimed", "x")
    assert await store.idempotency.get_result("never-claimed", now=NOW) is None


async def test_expired_idempotency_key_forgets_its_result(store: Store) -> None:
    await store.idempotency.claim_once("k", 60, now=NOW)
    await store.idempotency.remember_result("k", "page-1")
    later = NOW + timedelta(seconds=61)
    assert await store.idempotency.get_result("k", now=later) is None
    assert await store.idempotency.claim_once("k", 60, now=later)
    assert await store.idempotency.get_result("k", now=later) is None
    assert await store.idempotency.purge_expired(now=later + timedelta(seconds=60)) == 1


async def test_released_key_can_be_claimed_again_at_once(store: Store) -> None:
    assert await store.claim_once("lock", 900, now=NOW)
    assert not await store.claim_once("lock", 900, now=NOW)
    assert await store.release("lock")
    assert not await store.release("lock")  # nothing left to give up
    assert await store.claim_once("lock", 900, now=NOW)
