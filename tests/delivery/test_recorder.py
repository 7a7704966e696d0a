"""The recorder on a recording ClaimStore: batches by size and by time, lost claims reported once,
and a batch the database refused is never silent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery import Claim, ClaimKey, Completion, DeliveryRecord, Followup, Receipt
from bot.delivery.recorder import Recorder

NOW = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


def claim(n: int) -> Claim:
    return Claim(ClaimKey("test", str(n), "e"), "me", NOW + timedelta(minutes=5), 0, False)


def done(n: int) -> Completion:
    return Completion.delivered(claim(n), Receipt("C1", f"{n}.0"), NOW)


@dataclass
class RecordingClaims:
    """Writes go to `written` (one list per transaction); `lose` and `fail` shape the answers."""

    written: list[tuple[list[Completion], list[Followup]]] = field(default_factory=list)
    lose: set[ClaimKey] = field(default_factory=set)
    fail: list[Exception] = field(default_factory=list)
    wrote: asyncio.Event = field(default_factory=asyncio.Event)

    def new_owner(self) -> str:
        return "me"

    async def claim(
        self,
        keys: Sequence[ClaimKey],
        owner: str,
        lease_seconds: float,
        now: datetime,
        *,
        skip_backoff: bool = False,
    ) -> list[Claim]:
        raise AssertionError("not used")

    async def complete(
        self, completions: Sequence[Completion], followups: Sequence[Followup] = ()
    ) -> list[Claim]:
        self.wrote.set()
        if self.fail:
            raise self.fail.pop(0)
        self.written.append((list(completions), list(followups)))
        return [c.claim for c in completions if c.claim.key in self.lose]

    async def get(self, key: ClaimKey) -> DeliveryRecord | None:
        raise AssertionError("not used")


async def test_full_batches_are_written_as_they_fill() -> None:
    store = RecordingClaims()
    recorder = Recorder(store, size=3, seconds=3600)
    for n in range(7):
        await recorder.add([done(n)], [f"followup-{n}"])
    assert [len(c) for c, _ in store.written] == [3, 3]
    assert store.written[0][1] == ["followup-0", "followup-1", "followup-2"]
    assert recorder.waiting == 1
    assert await recorder.flush() == []
    assert [len(c) for c, _ in store.written] == [3, 3, 1] and recorder.waiting == 0
    assert await recorder.flush() == []  # nothing waiting: no write
    assert len(store.written) == 3


async def test_a_batch_waits_at_most_its_time() -> None:
    store = RecordingClaims()
    recorder = Recorder(store, size=100, seconds=0)
    await recorder.add([done(1)])
    assert store.written == []
    async with asyncio.timeout(5):
        await store.wrote.wait()  # written by the timer, without a flush
    assert [len(c) for c, _ in store.written] == [1]


async def test_lost_claims_are_logged_and_reported_once(caplog: pytest.LogCaptureFixture) -> None:
    store = RecordingClaims(lose={claim(2).key})
    recorder = Recorder(store, size=2, seconds=3600)
    with caplog.at_level(logging.WARNING, logger="bot.delivery"):
        await recorder.add([done(1), done(2)])  # written at once: full
        await recorder.add([done(3)])
        assert await recorder.flush() == [claim(2)]
    assert await recorder.flush() == []
    assert "delivery claim lost kind=test subject=2 item=e" in caplog.text


async def test_a_refused_batch_raises_to_whoever_wrote_it() -> None:
    store = RecordingClaims(fail=[RuntimeError("database is locked")])
    recorder = Recorder(store, size=1, seconds=3600)
    with pytest.raises(RuntimeError, match="locked"):
        await recorder.add([done(1)])
    await recorder.add([done(2)])  # the next batch goes through
    assert [[c.claim for c in cs] for cs, _ in store.written] == [[claim(2)]]


async def test_a_refused_background_batch_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    store = RecordingClaims(fail=[RuntimeError("database is locked")])
    recorder = Recorder(store, size=100, seconds=0)
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        await recorder.add([done(1)])
        async with asyncio.timeout(5):
            await store.wrote.wait()
        assert await recorder.flush() == []  # waits for the background write; nothing left
    assert "delivery records not written" in caplog.text and "database is locked" in caplog.text
    assert store.written == []
