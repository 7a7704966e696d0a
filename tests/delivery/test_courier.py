"""The courier against the real claims table (SQLite; PostgreSQL when configured) and a
recording Slack history: exactly once, the crash window (in the channel and in a thread),
backoff, pause-with-DM, and outcomes written in batches."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.delivery import (
    PAUSED_RETRY,
    AccessLost,
    ChannelGone,
    ChannelUnavailable,
    Claim,
    ClaimKey,
    Courier,
    DeliveryMark,
    Failed,
    Paused,
    PauseReason,
    Posted,
    PostFailed,
    Receipt,
    SourceGone,
)
from bot.store import Store

NOW = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
EVENT = "confluence_test"
KEY = ClaimKey("test", "sub-1", "event-1")
OTHER = ClaimKey("test", "sub-2", "event-1")
LEASE = timedelta(minutes=5)


@dataclass
class Channel:
    """Messages posted, as Slack keeps them (ts and metadata), and history reads."""

    # channel, or "channel/thread ts" for a thread's replies -> [(ts, metadata)]
    messages: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    reads: list[str] = field(default_factory=list)
    told: list[tuple[str, PauseReason, tuple[str, ...], str]] = field(default_factory=list)
    posts: int = 0

    def post(self, channel_id: str, mark: DeliveryMark, thread_ts: str | None = None) -> str:
        where = channel_id if thread_ts is None else f"{channel_id}/{thread_ts}"
        self.posts += 1
        ts = f"{1714986000 + self.posts}.000100"
        self.messages.setdefault(where, []).append((ts, mark.metadata()))
        return ts

    def update(self, channel_id: str, ts: str, mark: DeliveryMark) -> str:
        sent = self.messages[channel_id]
        sent[[t for t, _ in sent].index(ts)] = (ts, mark.metadata())
        return ts

    async def find_posted(
        self, channel_id: str, mark: DeliveryMark, since: datetime, *, thread_ts: str | None = None
    ) -> str | None:
        where = channel_id if thread_ts is None else f"{channel_id}/{thread_ts}"
        self.reads.append(where)
        for ts, metadata in self.messages.get(where, []):
            if mark.found_in(metadata):
                return ts
        return None

    async def tell(
        self, owner: str, reason: PauseReason, labels: Sequence[str], channel_id: str
    ) -> None:
        self.told.append((owner, reason, tuple(labels), channel_id))


class Transactions:
    """Counts the transactions the store's engine begins."""

    def __init__(self, store: Store, on_begin: Callable[[], None] | None = None) -> None:
        self.count = 0
        self._on_begin = on_begin
        sa.event.listen(store.engine.sync_engine, "begin", self._began)

    def _began(self, conn: Any) -> None:
        self.count += 1
        if self._on_begin is not None:
            self._on_begin()


@pytest.fixture
def slack() -> Channel:
    return Channel()


def courier(store: Store, slack: Channel, owner: str = "proc-a", **batch: Any) -> Courier:
    return Courier(
        store.deliveries, slack, owner=owner, lease=LEASE, jitter=lambda a, b: a, **batch
    )


async def claim(courier: Courier, key: ClaimKey, now: datetime, **options: bool) -> Claim | None:
    claims = await courier.claim([key], now, **options)
    return claims[0] if claims else None


async def test_claims_once_posts_once_and_records_where(store: Store, slack: Channel) -> None:
    first, second = courier(store, slack), courier(store, slack, "proc-b")
    mine = await claim(first, KEY, NOW)
    assert mine is not None and not mine.taken_over
    assert await claim(second, KEY, NOW) is None  # held
    mark = DeliveryMark.of(EVENT, [KEY])
    assert await first.find_earlier("C1", [mine], mark, NOW) is None
    assert slack.reads == []  # a fresh claim cannot have posted before: no history read

    async def post() -> str:
        return slack.post("C1", mark)

    sent = await first.send("C1", [mine], post, NOW)
    assert sent == Posted("1714986001.000100")
    assert await first.flush() == []
    record = await store.deliveries.get(KEY)
    assert record is not None
    assert (record.status, record.channel_id, record.message_ts) == (
        "delivered",
        "C1",
        "1714986001.000100",
    )
    assert await first.is_delivered(KEY)
    later = NOW + timedelta(days=1)
    assert await claim(second, KEY, later) is None
    assert await claim(second, KEY, later, skip_backoff=True) is None


async def test_a_takeover_finds_the_message_its_dead_predecessor_posted(
    store: Store, slack: Channel
) -> None:
    dead = await claim(courier(store, slack, "dead"), KEY, NOW)
    assert dead is not None
    mark = DeliveryMark.of(EVENT, [KEY])
    slack.post("C1", mark)  # Slack took it; the process died before recording it

    heir = courier(store, slack, "heir")
    assert await claim(heir, KEY, NOW + LEASE - timedelta(seconds=1)) is None  # lease still live
    mine = await claim(heir, KEY, NOW + LEASE)
    assert mine is not None and mine.taken_over
    found = await heir.find_earlier("C1", [mine], mark, NOW)
    assert found == "1714986001.000100" and slack.reads == ["C1"]
    await heir.delivered([mine], Receipt("C1", found), NOW + LEASE)
    assert await heir.flush() == []
    assert len(slack.messages["C1"]) == 1
    # The dead owner's claim is stale: it can no longer complete.
    await heir.delivered([dead], Receipt("C1", "late"), NOW + LEASE)
    assert await heir.flush() == [dead]


async def test_replies_and_updates_go_the_same_way(store: Store, slack: Channel) -> None:
    # Channel notifications reply in a page's thread and update a message in place: the same
    # claims, marks and records, with the history read where the message would be.
    mine = courier(store, slack)
    parent = slack.post("C1", DeliveryMark.of(EVENT, [KEY]))
    reply_key, edit_key = ClaimKey("test", "sub-1", "comment-9"), ClaimKey("test", "sub-1", "v2")
    reply_mark = DeliveryMark.of(EVENT, [reply_key])
    dead = await claim(courier(store, slack, "dead"), reply_key, NOW)
    assert dead is not None
    slack.post("C1", reply_mark, thread_ts=parent)  # the dead process's reply reached Slack
    [reply, edit] = await mine.claim([reply_key, edit_key], NOW + LEASE)
    assert reply.taken_over and not edit.taken_over
    assert await mine.find_earlier("C1", [reply], reply_mark, NOW) is None  # not in the channel
    found = await mine.find_earlier("C1", [reply], reply_mark, NOW, thread_ts=parent)
    assert found is not None and slack.reads == ["C1", f"C1/{parent}"]
    await mine.delivered([reply], Receipt("C1", found), NOW + LEASE)

    both = DeliveryMark.of(EVENT, [KEY, edit_key])  # the message now carries both deliveries

    async def update() -> str:
        return slack.update("C1", parent, both)

    assert await mine.send("C1", [edit], update, NOW + LEASE) == Posted(parent)
    assert await mine.flush() == []
    for key, ts in ((reply_key, found), (edit_key, parent)):
        record = await store.deliveries.get(key)
        assert record is not None and (record.status, record.message_ts) == ("delivered", ts)
    assert slack.posts == 2  # the parent and the dead process's reply; nothing again


async def test_a_failed_post_is_given_back_with_backoff(store: Store, slack: Channel) -> None:
    mine = courier(store, slack)
    claims = await mine.claim([KEY, OTHER], NOW)
    assert len(claims) == 2

    async def refused() -> str:
        raise PostFailed("ratelimited", retry_after=600)

    sent = await mine.send("C1", claims, refused, NOW)
    assert sent == Failed("ratelimited")
    await mine.flush()
    for key in (KEY, OTHER):
        record = await store.deliveries.get(key)
        assert record is not None and record.status == "failed" and record.attempts == 1
        assert record.error == "slack: ratelimited"
        assert record.next_attempt_at == NOW + timedelta(seconds=600)
    assert await claim(mine, KEY, NOW + timedelta(seconds=599)) is None
    again = await claim(mine, KEY, NOW + timedelta(seconds=600))
    assert again is not None and again.taken_over and again.attempts == 1
    assert await claim(mine, OTHER, NOW, skip_backoff=True) is not None  # a user's retry


async def test_a_gone_channel_pauses_holds_the_claims_and_tells_each_owner_once(
    store: Store, slack: Channel
) -> None:
    mine = courier(store, slack)
    keys = [ClaimKey("test", f"sub-{n}", "event-1") for n in range(3)]
    claims = await mine.claim(keys, NOW)

    async def archived() -> str:
        raise ChannelUnavailable("is_archived")

    sent = await mine.send("C1", claims, archived, NOW)
    assert sent == ChannelGone("is_archived")
    await mine.flush()
    record = await store.deliveries.get(keys[0])
    assert record is not None and record.status == "claimed"  # the caller decides: pause

    paused = [
        Paused(claims[0], "U1", "C1", "ENG"),
        Paused(claims[1], "U2", "C1", "OPS"),
        Paused(claims[2], "U1", "C1", "HR"),
    ]
    await mine.pause(paused, sent, NOW, slack.tell)
    assert slack.told == [
        ("U1", ChannelGone("is_archived"), ("ENG", "HR"), "C1"),
        ("U2", ChannelGone("is_archived"), ("OPS",), "C1"),
    ]
    await mine.flush()
    for key in keys:
        record = await store.deliveries.get(key)
        assert record is not None and record.status == "failed"
        assert record.error == "channel: is_archived"
        assert record.next_attempt_at == NOW + PAUSED_RETRY
        assert await claim(mine, key, NOW + timedelta(days=30)) is None  # no tick retries it


def test_pause_reasons_are_stored_as_before() -> None:
    # Listings show these; existing paused subscriptions carry the same words.
    assert ChannelGone("not_in_channel").stored == "channel: not_in_channel"
    assert SourceGone().stored == "space deleted"
    assert AccessLost().stored == "confluence access lost"


async def test_the_owner_names_this_process_unless_given(store: Store, slack: Channel) -> None:
    owner = Courier(store.deliveries, slack).owner
    [mine] = await Courier(store.deliveries, slack).claim([KEY], NOW)
    assert mine.owner != owner
    assert mine.owner.rsplit(":", 2)[0] == owner.rsplit(":", 2)[0]


async def test_outcomes_are_written_in_batches_of_the_batch_size(
    store: Store, slack: Channel
) -> None:
    keys = [ClaimKey("test", f"sub-{n}", "e") for n in range(25)]
    mine = courier(store, slack, batch_size=10, batch_seconds=3600)
    claims = await mine.claim(keys, NOW)
    began = Transactions(store)
    for n, one in enumerate(claims):
        await mine.delivered([one], Receipt("C1", str(n)), NOW)
        if n == 19:
            waiting = await store.deliveries.get(claims[19].key)  # (a transaction too)
            assert waiting is not None and waiting.status == "delivered"
    assert began.count == 3  # two full batches written as they filled, and that read; five wait
    waiting = await store.deliveries.get(claims[-1].key)
    assert waiting is not None and waiting.status == "claimed"
    assert await mine.flush() == []
    assert began.count == 5
    done = await store.deliveries.get(claims[9].key)
    assert done is not None and done.message_ts == "9"
    records = [await store.deliveries.get(k) for k in keys]
    assert [r.status if r else None for r in records] == ["delivered"] * 25


async def test_a_batch_is_written_within_its_time_even_if_not_full(
    store: Store, slack: Channel
) -> None:
    mine = courier(store, slack, batch_size=1000, batch_seconds=0)
    [one] = await mine.claim([KEY], NOW)
    written = asyncio.Event()
    began = Transactions(store, on_begin=written.set)
    await mine.delivered([one], Receipt("C1", "1.0"), NOW)
    assert began.count == 0  # not yet: the batch is not full
    async with asyncio.timeout(5):
        await written.wait()  # the timer wrote it, with nobody flushing
    await mine.flush()  # (waits for the write in flight; nothing else to write)
    assert began.count == 1
    record = await store.deliveries.get(KEY)
    assert record is not None and record.status == "delivered"
