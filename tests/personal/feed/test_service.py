"""FeedService against a real database (SQLite; PostgreSQL when configured) and recording ports."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from bot.confluence import ExpiredGrant
from bot.delivery import ClaimKey, DeliveryMark, PostFailed
from bot.personal.feed import EVENT_TYPE, FeedEvent, FeedService, watermark_key
from bot.polling import WatermarkAdvance
from bot.store import Store

from .fakes import T0, FakeSource, FakeUsers, ManualClock, RecordingPoster, Sent, mention_of, user


def service(
    store: Store, users: FakeUsers, source: FakeSource, poster: RecordingPoster, clock: ManualClock
) -> FeedService:
    return FeedService(store, users, source, poster, clock=clock, minimum_interval=120.0)


async def test_each_user_is_polled_once_per_interval_spread_over_it(store: Store) -> None:
    users = FakeUsers([user(n) for n in range(60)])
    source, clock = FakeSource(), ManualClock()
    feed = service(store, users, source, RecordingPoster(), clock)
    per_tick = [len((await feed.tick()).polled)]  # a first tick at T0
    for _ in range(2 * 24):  # two intervals of 120 s, a tick every 5 s
        clock.current += timedelta(seconds=5)
        report = await feed.tick()
        per_tick.append(len(report.polled))
    polls = Counter(account for account, _, _ in source.polls)
    assert set(polls.values()) == {2} and len(polls) == 60  # once per interval each
    assert max(per_tick) <= 10  # spread out: 60 users over 24 ticks, not all at once
    assert feed.interval_for(60) == 120.0
    assert feed.interval_for(1000) == 1000 * 3 / 5.0  # stretched to the request budget
    # Polls that take more requests than configured stretch it further.
    source.requests = 6
    clock.current += timedelta(seconds=200)
    await feed.tick(everyone=True)
    assert 1000 * 3 / 5.0 < feed.interval_for(1000) <= 1000 * 6 / 5.0  # a moving average


async def test_a_failed_dm_is_sent_on_a_later_poll_and_only_once(store: Store) -> None:
    ada = user(1)
    users = FakeUsers([ada])
    source = FakeSource({"acc-1": [mention_of("acc-1", "p1", T0 + timedelta(seconds=30))]})
    poster = RecordingPoster(failures=[PostFailed("ratelimited", retry_after=30)])
    clock = ManualClock(T0 + timedelta(minutes=1))
    feed = service(store, users, source, poster, clock)
    await feed.tick(everyone=True)
    assert poster.messages == []
    # The watermark stayed: the next polls find the mention again, and send it after the backoff.
    assert await store.watermarks.get_many([watermark_key(ada.subject)]) == {}
    for minutes in (2, 4, 6):
        clock.current = T0 + timedelta(minutes=minutes)
        await feed.tick(everyone=True)
    assert [m.items for m in poster.messages] == [
        ["mention:p1:" + poster.messages[0].items[0][-12:]]
    ]
    marks = await store.watermarks.get_many([watermark_key(ada.subject)])
    assert marks[watermark_key(ada.subject)] == T0 + timedelta(minutes=6)


async def test_a_dm_posted_by_a_process_that_died_is_found_not_sent_again(store: Store) -> None:
    ada = user(1)
    hit = mention_of("acc-1", "p1", T0 + timedelta(seconds=30))
    source = FakeSource({"acc-1": [hit]})
    poster, clock = RecordingPoster(), ManualClock(T0 + timedelta(minutes=1))
    feed = service(store, FakeUsers([ada]), source, poster, clock)
    await feed.tick(everyone=True)
    (sent,) = poster.messages
    (event_id,) = sent.items
    # Another process claimed the same event, posted, and died before recording it.
    other = ClaimKey("personal", ada.subject, "mention:p2:x")
    claims = await store.deliveries.claim([other], "dead", 60, clock.now())
    assert len(claims) == 1
    poster.messages.append(
        Sent("DU1", "2000.000100", ["mention:p2:x"], DeliveryMark(EVENT_TYPE, (other.name,)))
    )
    record = await store.deliveries.get(ClaimKey("personal", ada.subject, event_id))
    assert record is not None and record.status == "delivered"
    # After its lease, this process takes the claim over and finds the DM in the history.
    clock.current += timedelta(minutes=6)
    taken = FeedEvent("mention:p2:x", "mentions", "mentioned", "P2", None, clock.now())
    outcome = await feed.deliver(
        ada, [taken], clock.now(), WatermarkAdvance(watermark_key(ada.subject), clock.now())
    )
    await feed.tick()
    assert outcome == ("sent", 0) and len(poster.messages) == 2 and poster.history_reads == 1
    record = await store.deliveries.get(other)
    assert record is not None and record.status == "delivered"


async def test_a_refused_connection_is_reported_and_nothing_moves(store: Store) -> None:
    ada = user(1)
    users = FakeUsers([ada])
    source = FakeSource(failures=[ExpiredGrant("GET", "/rest/api/search", 500, "invalid_grant")])
    feed = service(store, users, source, RecordingPoster(), ManualClock())
    report = await feed.tick(everyone=True)
    assert [p.outcome for p in report.polled] == ["error"] and users.lost_calls == ["U1"]
    assert await store.watermarks.get_many([watermark_key(ada.subject)]) == {}
