"""DigestScheduler: runs the tick at once and then periodically, survives failures, never
overlaps itself, and stops cleanly. Intervals are fractions of a second; the tests wait on what
the ticks and the observer report, never for a while."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.digest.scheduler import DigestScheduler


class Changes:
    """Ticks and observer calls `note()` that something happened; `until` wakes on each one
    to check what the test waits for (fails after two seconds)."""

    def __init__(self) -> None:
        self._changed = asyncio.Event()

    def note(self) -> None:
        self._changed.set()

    async def until(self, predicate: Callable[[], bool]) -> None:
        async with asyncio.timeout(2.0):
            while True:
                self._changed.clear()
                if predicate():
                    return
                await self._changed.wait()


async def test_first_tick_runs_at_start_then_repeats() -> None:
    calls: list[float] = []
    changes = Changes()

    async def tick() -> None:
        calls.append(asyncio.get_running_loop().time())
        changes.note()

    scheduler = DigestScheduler(tick, interval_seconds=0.05)
    started = asyncio.get_running_loop().time()
    scheduler.start()
    try:
        await changes.until(lambda: len(calls) >= 3)
    finally:
        await scheduler.shutdown()
    assert calls[0] - started < 0.5  # catch-up tick right away, not after the first interval
    assert not scheduler.running


async def test_failing_tick_does_not_stop_the_schedule() -> None:
    calls = 0
    changes = Changes()

    async def tick() -> None:
        nonlocal calls
        calls += 1
        changes.note()
        raise RuntimeError("database down")

    scheduler = DigestScheduler(tick, interval_seconds=0.05)
    scheduler.start()
    try:
        await changes.until(lambda: calls >= 2)
    finally:
        await scheduler.shutdown()
    assert scheduler.ticks >= 2


async def test_slow_tick_never_overlaps_itself() -> None:
    active = 0
    most = 0
    done = 0
    changes = Changes()

    async def tick() -> None:
        nonlocal active, most, done
        active += 1
        most = max(most, active)
        await asyncio.sleep(0.12)  # a slow tick: longer than two intervals
        active -= 1
        done += 1
        changes.note()

    scheduler = DigestScheduler(tick, interval_seconds=0.05)
    scheduler.start()
    try:
        await changes.until(lambda: done >= 2)
    finally:
        await scheduler.shutdown()
    assert most == 1


async def test_shutdown_waits_for_the_running_tick_then_cancels() -> None:
    started = asyncio.Event()
    finished = asyncio.Event()
    cancelled = asyncio.Event()

    async def slow() -> None:
        started.set()
        try:
            await asyncio.sleep(0.05)
            finished.set()
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    scheduler = DigestScheduler(slow, interval_seconds=60)
    scheduler.start()
    await started.wait()
    await scheduler.shutdown(grace_seconds=0.1)
    assert finished.is_set() and cancelled.is_set()


async def test_start_twice_is_an_error_and_interval_must_be_positive() -> None:
    async def tick() -> None:
        return None

    with pytest.raises(ValueError):
        DigestScheduler(tick, interval_seconds=0)
    scheduler = DigestScheduler(tick, interval_seconds=60)
    scheduler.start()
    try:
        with pytest.raises(RuntimeError):
            scheduler.start()
    finally:
        await scheduler.shutdown()


class JobRecorder:
    """A JobObserver that records what it is told."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.changes = Changes()

    def _record(self, event: str) -> None:
        self.events.append(event)
        self.changes.note()

    def job_ran(self, job: str) -> None:
        self._record(f"ran {job}")

    def job_failed(self, job: str) -> None:
        self._record(f"failed {job}")

    def job_started_late(self, job: str) -> None:
        self._record(f"late {job}")


async def test_runs_failures_and_late_runs_are_reported() -> None:
    calls = 0
    release = asyncio.Event()

    async def tick() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database down")
        if calls == 2:
            await release.wait()  # the next ticks find it still running: they are late

    seen = JobRecorder()
    scheduler = DigestScheduler(tick, interval_seconds=0.05, observer=seen)
    scheduler.start()
    try:
        await seen.changes.until(lambda: "late digest_tick" in seen.events)
        release.set()
        await seen.changes.until(lambda: seen.events.count("ran digest_tick") >= 3)
    finally:
        await scheduler.shutdown()
    assert seen.events[:2] == ["failed digest_tick", "ran digest_tick"]


def test_a_tick_submitted_long_after_its_time_is_late() -> None:
    from datetime import UTC, datetime, timedelta

    from apscheduler.events import (  # type: ignore[import-untyped]
        EVENT_JOB_SUBMITTED,
        JobSubmissionEvent,
    )

    seen = JobRecorder()
    scheduler = DigestScheduler(lambda: asyncio.sleep(0), observer=seen)
    now = datetime.now(UTC)
    scheduler.on_event(JobSubmissionEvent(EVENT_JOB_SUBMITTED, "digest-tick", "default", [now]))
    assert seen.events == []
    late = [now - timedelta(seconds=30)]
    scheduler.on_event(JobSubmissionEvent(EVENT_JOB_SUBMITTED, "digest-tick", "default", late))
    assert seen.events == ["late digest_tick"]
