"""The courier against the real claims table (SQLite; PostgreSQL when configured) and a
recording Slack history: exactly once, the crash window, backoff, and pause-with-DM."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.delivery import (
    PAUSED_RETRY,
    AccessLost,
    ChannelGone,
    ChannelUnavailable,
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

    messages: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    reads: int = 0
    told: list[tuple[str, PauseReason, tuple[str, ...], str]] = field(default_factory=list)

    def post(self, channel_id: str, mark: DeliveryMark) -> str:
        sent = self.messages.setdefault(channel_id, [])
        ts = f"{1714986000 + len(sent)}.000100"
        sent.append((ts, mark.metadata()))
        return ts

    async def find_posted(self, channel_id: str, mark: DeliveryMark, since: datetime) -> str | None:
        self.reads += 1
        for ts, metadata in self.messages.get(channel_id, []):
            if mark.found_in(metadata):
                return ts
        return None

    async def tell(
        self, owner: str, reason: PauseReason, labels: Sequence[str], channel_id: str
    ) -> None:
        self.told.append((owner, reason, tuple(labels), channel_id))


@pytest.fixture
def slack() -> Channel:
    return Channel()


def courier(store: Store, slack: Channel, owner: str = "proc-a") -> Courier:
    return Courier(store.deliveries, slack, owner=owner, lease=LEASE, jitter=lambda a, b: a)


async def test_claims_once_posts_once_and_records_where(store: Store, slack: Channel) -> None:
    first, second = courier(store, slack), courier(store, slack, "proc-b")
    claim = await first.claim(KEY, NOW)
    assert claim is not None and not claim.taken_over
    assert await second.claim(KEY, NOW) is None  # held
    mark = DeliveryMark.of(EVENT, [KEY])
    assert await first.find_earlier("C1", [claim], mark, NOW) is None
    assert slack.reads == 0  # a fresh claim cannot have posted before: no history read

    async def post() -> str:
        return slack.post("C1", mark)

    sent = await first.send("C1", [claim], post, NOW)
    assert sent == Posted("1714986000.000100")
    record = await store.deliveries.get(KEY)
    assert record is not None
    assert (record.status, record.channel_id, record.message_ts) == (
        "delivered",
        "C1",
        "1714986000.000100",
    )
    assert await first.is_delivered(KEY)
    later = NOW + timedelta(days=1)
    assert await second.claim(KEY, later) is None
    assert await second.claim(KEY, later, skip_backoff=True) is None


async def test_a_takeover_finds_the_message_its_dead_predecessor_posted(
    store: Store, slack: Channel
) -> None:
    dead = await courier(store, slack, "dead").claim(KEY, NOW)
    assert dead is not None
    mark = DeliveryMark.of(EVENT, [KEY])
    slack.post("C1", mark)  # Slack took it; the process died before recording it

    heir = courier(store, slack, "heir")
    assert await heir.claim(KEY, NOW + LEASE - timedelta(seconds=1)) is None  # lease still live
    claim = await heir.claim(KEY, NOW + LEASE)
    assert claim is not None and claim.taken_over
    found = await heir.find_earlier("C1", [claim], mark, NOW)
    assert found == "1714986000.000100" and slack.reads == 1
    assert await heir.delivered([claim], Receipt("C1", found), NOW + LEASE) == []
    assert len(slack.messages["C1"]) == 1
    # The dead owner's claim is stale: it can no longer complete.
    assert await heir.delivered([dead], Receipt("C1", "late"), NOW + LEASE) == [dead]


async def test_a_failed_post_is_given_back_with_backoff(store: Store, slack: Channel) -> None:
    mine = courier(store, slack)
    claims = [await mine.claim(key, NOW) for key in (KEY, OTHER)]
    assert all(claims)

    async def refused() -> str:
        raise PostFailed("ratelimited", retry_after=600)

    sent = await mine.send("C1", [c for c in claims if c], refused, NOW)
    assert sent == Failed("ratelimited")
    for key in (KEY, OTHER):
        record = await store.deliveries.get(key)
        assert record is not None and record.status == "failed" and record.attempts == 1
        assert record.error == "slack: ratelimited"
        assert record.next_attempt_at == NOW + timedelta(seconds=600)
    assert await mine.claim(KEY, NOW + timedelta(seconds=599)) is None
    again = await mine.claim(KEY, NOW + timedelta(seconds=600))
    assert again is not None and again.taken_over and again.attempts == 1
    assert await mine.claim(OTHER, NOW, skip_backoff=True) is not None  # a user's retry


async def test_a_gone_channel_pauses_holds_the_claims_and_tells_each_owner_once(
    store: Store, slack: Channel
) -> None:
    mine = courier(store, slack)
    keys = [ClaimKey("test", f"sub-{n}", "event-1") for n in range(3)]
    claims = [c for c in [await mine.claim(key, NOW) for key in keys] if c is not None]

    async def archived() -> str:
        raise ChannelUnavailable("is_archived")

    sent = await mine.send("C1", claims, archived, NOW)
    assert sent == ChannelGone("is_archived")
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
    for key in keys:
        record = await store.deliveries.get(key)
        assert record is not None and record.status == "failed"
        assert record.error == "channel: is_archived"
        assert record.next_attempt_at == NOW + PAUSED_RETRY
        assert await mine.claim(key, NOW + timedelta(days=30)) is None  # no tick retries it


def test_pause_reasons_are_stored_as_before() -> None:
    # Listings show these; existing paused subscriptions carry the same words.
    assert ChannelGone("not_in_channel").stored == "channel: not_in_channel"
    assert SourceGone().stored == "space deleted"
    assert AccessLost().stored == "confluence access lost"


async def test_the_owner_names_this_process_unless_given(store: Store, slack: Channel) -> None:
    owner = Courier(store.deliveries, slack).owner
    claim = await Courier(store.deliveries, slack).claim(KEY, NOW)
    assert claim is not None and claim.owner != owner
    assert claim.owner.rsplit(":", 2)[0] == owner.rsplit(":", 2)[0]
