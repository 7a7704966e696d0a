"""DigestService against a real database (SQLite; PostgreSQL when configured) and recording ports."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery import (
    AccessLost,
    ChannelGone,
    ChannelUnavailable,
    DeliveryMark,
    PostFailed,
    SourceGone,
)
from bot.digest.compose import DigestMessage
from bot.digest.ports import EVENT_TYPE, SourceAccessLost
from bot.digest.service import DigestService, claim_key
from bot.store import Schedule, Store, Subscription
from tests.store.claims import claim_one

from .conftest import Database
from .fakes import FakeSource, ManualClock, PauseNotice, RecordingPoster

MONDAY_0800 = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
DUE = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
CREATED = MONDAY_0800 - timedelta(days=2)


async def subscribe(
    store: Store,
    channel: str,
    key: str,
    space_id: str,
    *,
    hour: int = 9,
    created_by: str = "U1",
    connection_id: str | None = None,
    now: datetime = CREATED,
) -> Subscription:
    result = await store.subscriptions.upsert(
        team_id="T1",
        channel_id=channel,
        space_key=key,
        space_id=space_id,
        schedule=Schedule("daily", hour, 0, "UTC"),
        created_by=created_by,
        connection_id=connection_id,
        now=now,
    )
    return result.subscription


def service(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock, owner: str = "a"
) -> DigestService:
    return DigestService(
        store,
        source,
        poster,
        clock=clock,
        grace=timedelta(hours=6),
        lease=timedelta(minutes=5),
        owner=owner,
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_0800)


@pytest.fixture
def source() -> FakeSource:
    fake = FakeSource(names={"acc-1": "Ada Lovelace"})
    fake.add_space("100", "ENG", "Engineering")
    fake.add_space("200", "OPS", "Operations")
    fake.add_post("100", "Release 1.2", DUE - timedelta(hours=3))
    fake.add_post("100", "Old news", DUE - timedelta(days=9))
    fake.add_post("200", "On-call changes", DUE - timedelta(hours=5))
    return fake


@pytest.fixture
def poster(clock: ManualClock) -> RecordingPoster:
    return RecordingPoster(clock)


async def test_posts_once_when_due_grouped_per_channel(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    eng = await subscribe(store, "C1", "ENG", "100")
    await subscribe(store, "C1", "OPS", "200")
    svc = service(store, source, poster, clock)

    assert (await svc.tick()).due == 0  # 08:00: not due yet
    clock.current = DUE + timedelta(seconds=20)
    report = await svc.tick()
    assert report.posted == 1
    [posted] = poster.posted
    assert posted.channel_id == "C1"
    assert posted.message.post_count == 2  # "Old news" is older than the 7-day first window
    text = str(posted.message.blocks)
    assert "Release 1.2" in text and "On-call changes" in text and "Old news" not in text
    assert "Ada Lovelace" in text
    assert posted.message.text == "2 new blog posts in ENG, OPS"  # newest space first
    assert set(posted.mark.claims) == {
        f"{eng.id}@daily:2024-05-06",
        f"{eng.id + 1}@daily:2024-05-06",
    }

    clock.advance(seconds=30)
    assert (await svc.tick()).due == 0
    assert len(poster.posted) == 1
    row = await store.deliveries.get(claim_key(eng.id, "daily:2024-05-06"))
    assert (
        row is not None
        and row.status == "delivered"
        and row.message_ts == posted.ts
        and row.channel_id == "C1"
    )
    sub = await store.subscriptions.get(eng.id)
    assert sub is not None and sub.last_delivered_at == DUE + timedelta(seconds=20)


async def test_next_digest_covers_only_what_is_new(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    await subscribe(store, "C1", "ENG", "100")
    svc = service(store, source, poster, clock)
    clock.current = DUE
    await svc.tick()
    source.add_post("100", "Tuesday post", DUE + timedelta(hours=5))
    clock.current = DUE + timedelta(days=1, seconds=5)
    await svc.tick()
    assert [p.message.post_count for p in poster.posted] == [1, 1]
    assert "Tuesday post" in str(poster.posted[1].message.blocks)
    assert "Release 1.2" not in str(poster.posted[1].message.blocks)


async def test_nothing_new_posts_nothing_but_closes_the_period(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    sub = await subscribe(store, "C1", "ENG", "100")
    source.posts.clear()
    clock.current = DUE
    report = await service(store, source, poster, clock).tick()
    assert [r.outcome for r in report.results] == ["empty"]
    assert poster.posted == []
    row = await store.deliveries.get(claim_key(sub.id, "daily:2024-05-06"))
    assert row is not None and row.status == "delivered" and row.message_ts == ""


async def test_each_space_fetched_once_per_tick(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    for n in range(6):
        await subscribe(store, f"C{n}", "ENG", "100")
    for n in range(3):
        await subscribe(store, f"C{n}", "OPS", "200")
    clock.current = DUE
    report = await service(store, source, poster, clock).tick()
    assert report.posted == 6
    fetched = [ids for name, _, ids in source.calls_to("posts")]
    assert fetched == [("100", "200")]
    assert len(source.calls_to("spaces")) == 1
    assert len(source.calls_to("names")) == 1


async def test_fetches_with_each_subscribers_connection(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    await subscribe(store, "C1", "ENG", "100", connection_id="conn-a")
    await subscribe(store, "C2", "ENG", "100", connection_id="conn-b")
    clock.current = DUE
    await service(store, source, poster, clock).tick()
    assert sorted(conn for _, conn, _ in source.calls_to("posts")) == ["conn-a", "conn-b"]


async def test_not_posted_before_creation_or_after_grace(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    await subscribe(store, "C1", "ENG", "100", now=DUE + timedelta(minutes=5))
    clock.current = DUE + timedelta(minutes=10)
    assert (await service(store, source, poster, clock).tick()).due == 0  # created after 09:00
    await subscribe(store, "C2", "ENG", "100")
    clock.current = DUE + timedelta(hours=6, minutes=1)  # down all morning: beyond the grace
    assert (await service(store, source, poster, clock).tick()).due == 0
    assert poster.posted == []


async def test_missed_digest_posted_once_after_restart(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    await subscribe(store, "C1", "ENG", "100")
    clock.current = DUE + timedelta(hours=2)  # the process was down at 09:00
    first = service(store, source, poster, clock, owner="boot-1")
    assert (await first.tick()).posted == 1
    clock.advance(minutes=1)
    restarted = service(store, source, poster, clock, owner="boot-2")  # a fresh process
    assert (await restarted.tick()).due == 0
    assert len(poster.posted) == 1


async def test_confluence_failure_is_retried_not_lost(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    sub = await subscribe(store, "C1", "ENG", "100")
    svc = service(store, source, poster, clock)
    clock.current = DUE
    source.fail_next()
    report = await svc.tick()
    assert [r.outcome for r in report.results] == ["retry"]
    assert poster.posted == []
    row = await store.deliveries.get(claim_key(sub.id, "daily:2024-05-06"))
    assert row is not None and row.status == "failed" and row.attempts == 1
    assert row.next_attempt_at is not None and row.next_attempt_at > DUE
    stored = await store.subscriptions.get(sub.id)
    assert stored is not None and stored.last_delivered_at is None

    clock.advance(seconds=30)  # backoff not over: not retried yet
    assert (await svc.tick()).due == 0
    clock.current = row.next_attempt_at
    assert (await svc.tick()).posted == 1
    assert poster.history_checks == 1  # a retry looks for an earlier post first
    assert len(poster.posted) == 1


async def test_slack_failure_backs_off_and_honours_retry_after(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    sub = await subscribe(store, "C1", "ENG", "100")
    clock.current = DUE
    poster.failures.append(PostFailed("ratelimited", retry_after=600))
    await service(store, source, poster, clock).tick()
    row = await store.deliveries.get(claim_key(sub.id, "daily:2024-05-06"))
    assert row is not None and row.status == "failed"
    assert row.next_attempt_at is not None and row.next_attempt_at >= DUE + timedelta(seconds=600)


async def test_crashed_claimer_is_recovered_after_the_lease(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    sub = await subscribe(store, "C1", "ENG", "100")
    clock.current = DUE
    # Another process claimed the period and died before posting.
    assert await claim_one(store, claim_key(sub.id, "daily:2024-05-06"), "dead", 300, DUE)
    svc = service(store, source, poster, clock)
    clock.advance(seconds=30)
    assert (await svc.tick()).due == 0  # still leased
    clock.current = DUE + timedelta(minutes=5, seconds=1)
    assert (await svc.tick()).posted == 1
    assert len(poster.posted) == 1


async def test_crash_after_post_before_record_is_not_posted_twice(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    sub = await subscribe(store, "C1", "ENG", "100")
    clock.current = DUE
    claim = await claim_one(store, claim_key(sub.id, "daily:2024-05-06"), "dead", 300, DUE)
    assert claim is not None
    # The dead process's message reached Slack; it died before recording it.
    mark = DeliveryMark.of(EVENT_TYPE, [claim_key(sub.id, "daily:2024-05-06")])
    ts = await poster.post("C1", DigestMessage("1 new blog post in ENG"), mark)
    clock.current = DUE + timedelta(minutes=6)
    report = await service(store, source, poster, clock).tick()
    assert [r.outcome for r in report.results] == ["already_posted"]
    assert len(poster.posted) == 1
    row = await store.deliveries.get(claim_key(sub.id, "daily:2024-05-06"))
    assert row is not None and row.status == "delivered" and row.message_ts == ts


async def test_a_claim_lost_while_posting_is_reported(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    # The post took longer than the lease and another process took the claim over meanwhile: it
    # will find this message by its mark; this process reports the claim as lost.
    lost = await subscribe(store, "C1", "ENG", "100")
    await subscribe(store, "C2", "OPS", "200")
    clock.current = DUE
    key = claim_key(lost.id, "daily:2024-05-06")
    post = poster.post

    async def slow_post(channel_id: str, message: DigestMessage, mark: DeliveryMark) -> str:
        ts = await post(channel_id, message, mark)
        if channel_id == "C1":
            later = DUE + timedelta(minutes=5)
            assert await claim_one(store, key, "thief", 300, later)
        return ts

    poster.post = slow_post  # type: ignore[method-assign]
    report = await service(store, source, poster, clock).tick()
    assert sorted((r.channel_id, r.outcome) for r in report.results) == [
        ("C1", "lost_claim"),
        ("C2", "posted"),
    ]
    row = await store.deliveries.get(key)
    assert row is not None and (row.status, row.claimed_by) == ("claimed", "thief")
    stored = await store.subscriptions.get(lost.id)
    assert stored is not None and stored.last_delivered_at == DUE  # the message went out


async def test_archived_channel_pauses_and_tells_the_creator(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    sub = await subscribe(store, "C1", "ENG", "100", created_by="U7")
    poster.gone["C1"] = "is_archived"
    clock.current = DUE
    svc = service(store, source, poster, clock)
    report = await svc.tick()
    assert [r.outcome for r in report.results] == ["paused"]
    stored = await store.subscriptions.get(sub.id)
    assert stored is not None and stored.paused and "is_archived" in (stored.paused_reason or "")
    assert poster.notices == [PauseNotice("U7", ChannelGone("is_archived"), ("ENG",), "C1")]
    clock.advance(minutes=10)
    assert (await svc.tick()).due == 0  # paused subscriptions are not retried


async def test_deleted_space_pauses_and_tells_the_creator(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    gone = await subscribe(store, "C1", "ENG", "100", created_by="U7")
    await subscribe(store, "C1", "OPS", "200")
    del source.spaces_by_id["100"]
    clock.current = DUE
    report = await service(store, source, poster, clock).tick()
    assert sorted(r.outcome for r in report.results) == ["paused", "posted"]
    assert [p.message.text for p in poster.posted] == ["1 new blog post in OPS"]
    stored = await store.subscriptions.get(gone.id)
    assert stored is not None and stored.paused
    assert poster.notices == [PauseNotice("U7", SourceGone(), ("ENG",), "C1")]


async def test_lost_confluence_access_pauses_and_asks_to_reconnect(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    sub = await subscribe(store, "C1", "ENG", "100", created_by="U7")
    source.fail_next(SourceAccessLost("401"))
    clock.current = DUE
    await service(store, source, poster, clock).tick()
    stored = await store.subscriptions.get(sub.id)
    assert stored is not None and stored.paused
    assert poster.notices == [PauseNotice("U7", AccessLost(), ("ENG",), "C1")]
    assert stored.paused_reason == "confluence access lost"


async def test_now_counts_as_the_periods_digest(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    await subscribe(store, "C1", "ENG", "100")
    clock.current = DUE + timedelta(minutes=30)  # the scheduled run failed earlier; user asks
    svc = service(store, source, poster, clock)
    report = await svc.deliver_now("T1", "C1")
    assert [r.outcome for r in report.results] == ["posted"]
    clock.advance(minutes=1)
    assert (await svc.tick()).due == 0  # the scheduled run does not post it again
    # Later the same day: the period is delivered, so "now" only posts what is new since.
    source.add_post("100", "Afternoon post", clock.now() + timedelta(minutes=5))
    clock.advance(hours=1)
    again = await svc.deliver_now("T1", "C1")
    assert [r.outcome for r in again.results] == ["posted"]
    assert [p.message.post_count for p in poster.posted] == [1, 1]
    clock.advance(days=1)  # the next scheduled digest starts after the last "now"
    await svc.tick()
    assert len(poster.posted) == 2


async def test_now_after_a_failure_takes_the_claim_over_and_posts(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    # The user ran `digest now`, Slack refused the post, and they were told to try again in a
    # few minutes: trying again inside the backoff must post, not say "being posted right now".
    sub = await subscribe(store, "C1", "ENG", "100")
    clock.current = DUE + timedelta(minutes=30)
    svc = service(store, source, poster, clock)
    poster.failures.append(PostFailed("fatal_error"))
    first = await svc.deliver_now("T1", "C1")
    assert [r.outcome for r in first.results] == ["retry"] and first.busy == ()
    failed = await store.deliveries.get(claim_key(sub.id, "daily:2024-05-06"))
    assert failed is not None and failed.status == "failed"
    assert failed.next_attempt_at is not None and failed.next_attempt_at > clock.now()

    clock.advance(seconds=20)  # well inside the backoff
    again = await svc.deliver_now("T1", "C1")
    assert [r.outcome for r in again.results] == ["posted"] and again.busy == ()
    assert len(poster.posted) == 1
    assert poster.history_checks == 1  # a retried claim looks for an earlier post first
    row = await store.deliveries.get(claim_key(sub.id, "daily:2024-05-06"))
    assert row is not None and row.status == "delivered"


async def test_now_while_another_process_is_posting_says_busy(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    sub = await subscribe(store, "C1", "ENG", "100")
    clock.current = DUE + timedelta(minutes=1)
    assert await claim_one(store, claim_key(sub.id, "daily:2024-05-06"), "other", 300, clock.now())
    report = await service(store, source, poster, clock).deliver_now("T1", "C1")
    assert report.busy == ("ENG",) and report.results == () and poster.posted == []


async def test_now_reports_unknown_keys_and_empty_channels(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    svc = service(store, source, poster, clock)
    assert (await svc.deliver_now("T1", "C1")).subscribed == 0
    await subscribe(store, "C1", "ENG", "100")
    report = await svc.deliver_now("T1", "C1", ["OPS"])
    assert report.unknown == ("OPS",) and report.results == ()


async def test_concurrent_schedulers_post_once_per_period(
    store: Store, database: Database, source: FakeSource, clock: ManualClock
) -> None:
    # Every scheduler finds the same 40 subscriptions due and claims them all in one call: the
    # batches overlap entirely, and each delivery still goes to one of them.
    channels = [f"C{n:02d}" for n in range(20)]
    subs = []
    for channel in channels:
        subs.append(await subscribe(store, channel, "ENG", "100"))
        subs.append(await subscribe(store, channel, "OPS", "200"))
    clock.current = DUE + timedelta(seconds=1)
    poster = RecordingPoster(clock)
    stores = [database.open() for _ in range(6)]
    try:
        services = [service(s, source, poster, clock, owner=f"r{i}") for i, s in enumerate(stores)]
        reports = await asyncio.gather(*(svc.tick() for svc in services))
        assert sum(r.due for r in reports) == 40
        clock.advance(seconds=30)
        await asyncio.gather(*(svc.tick() for svc in services))
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    delivered = [name for p in poster.posted for name in p.mark.claims]
    assert sorted(delivered) == sorted(f"{sub.id}@daily:2024-05-06" for sub in subs)
    assert {p.channel_id for p in poster.posted} == set(channels)


async def test_unrelated_failure_does_not_block_other_channels(
    store: Store, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> None:
    await subscribe(store, "C1", "ENG", "100")
    await subscribe(store, "C2", "OPS", "200")
    poster.gone["C1"] = "not_in_channel"
    clock.current = DUE
    await service(store, source, poster, clock).tick()
    assert [p.channel_id for p in poster.posted] == ["C2"]
    assert poster.notices == [PauseNotice("U1", ChannelGone("not_in_channel"), ("ENG",), "C1")]


def test_channel_unavailable_keeps_slacks_reason() -> None:
    assert ChannelUnavailable("is_archived").reason == "is_archived"
