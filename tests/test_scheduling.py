"""Jobs: runs each job at once (or after one interval) and then periodically, survives
failures, never overlaps a job with itself, keeps jobs apart, and stops cleanly. Intervals are fractions of a second; the tests wait on what
the ticks and the observer report, never for a while."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from bot.scheduling import JobObserver, Jobs


def one_job(
    tick: Callable[[], Awaitable[object]],
    seconds: float,
    *,
    observer: JobObserver | None = None,
    start_now: bool = True,
) -> Jobs:
    """Jobs holding the digest tick alone, as bootstrap schedules it."""
    jobs = Jobs(observer=observer)
    jobs.every("digest_tick", seconds, tick, start_now=start_now)
    return jobs


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

    scheduler = one_job(tick, 0.05)
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

    scheduler = one_job(tick, 0.05)
    scheduler.start()
    try:
        await changes.until(lambda: calls >= 2)
    finally:
        await scheduler.shutdown()
    assert scheduler.ticks("digest_tick") >= 2


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

    scheduler = one_job(tick, 0.05)
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

    scheduler = one_job(slow, 60)
    scheduler.start()
    await started.wait()
    await scheduler.shutdown(grace_seconds=0.1)
    assert finished.is_set() and cancelled.is_set()


async def test_start_twice_is_an_error_and_interval_must_be_positive() -> None:
    async def tick() -> None:
        return None

    with pytest.raises(ValueError):
        one_job(tick, 0)
    scheduler = one_job(tick, 60)
    with pytest.raises(ValueError):  # one job per name
        scheduler.every("digest_tick", 60, tick)
    scheduler.start()
    try:
        with pytest.raises(RuntimeError):
            scheduler.start()
        with pytest.raises(RuntimeError):  # jobs are added before start
            scheduler.every("notify_tick", 60, tick)
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
    scheduler = one_job(tick, 0.05, observer=seen)
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
    scheduler = one_job(lambda: asyncio.sleep(0), 30, observer=seen)
    now = datetime.now(UTC)
    scheduler.on_event(JobSubmissionEvent(EVENT_JOB_SUBMITTED, "digest_tick", "default", [now]))
    assert seen.events == []
    late = [now - timedelta(seconds=30)]
    scheduler.on_event(JobSubmissionEvent(EVENT_JOB_SUBMITTED, "digest_tick", "default", late))
    assert seen.events == ["late digest_tick"]


async def test_jobs_run_apart_each_on_its_own_interval_and_label() -> None:
    seen = JobRecorder()
    release = asyncio.Event()
    calls = {"fast": 0, "stuck": 0}

    async def fast() -> None:
        calls["fast"] += 1

    async def stuck() -> None:
        calls["stuck"] += 1
        await release.wait()  # a slow job does not hold up the other one

    jobs = Jobs(observer=seen)
    jobs.every("notify_tick", 0.05, fast)
    jobs.every("personal_tick", 0.05, stuck)
    assert jobs.names == ("notify_tick", "personal_tick")
    jobs.start()
    try:
        await seen.changes.until(lambda: seen.events.count("ran notify_tick") >= 3)
        assert jobs.ticks("personal_tick") == 0 and calls["stuck"] == 1
        release.set()
        await seen.changes.until(lambda: jobs.ticks("personal_tick") >= 1)
    finally:
        await jobs.shutdown()
    assert jobs.ticks("notify_tick") >= 3
    assert "ran personal_tick" in seen.events


async def test_a_job_not_started_now_waits_one_interval() -> None:
    seen = JobRecorder()
    calls: list[str] = []

    async def later() -> None:
        calls.append("later")

    async def now() -> None:
        calls.append("now")

    jobs = Jobs(observer=seen)
    jobs.every("later", 60, later, start_now=False)
    jobs.every("now", 60, now)
    jobs.start()
    try:
        await seen.changes.until(lambda: "ran now" in seen.events)
    finally:
        await jobs.shutdown()
    assert calls == ["now"]
    assert jobs.ticks("later") == 0


async def test_shutdown_without_start_and_twice_is_harmless() -> None:
    jobs = Jobs()
    await jobs.shutdown()
    jobs.every("digest_tick", 60, lambda: asyncio.sleep(0))
    jobs.start()
    assert jobs.running
    await jobs.shutdown()
    await jobs.shutdown()
    assert not jobs.running


async def test_until_ticks_wakes_after_the_runs() -> None:
    jobs = one_job(lambda: asyncio.sleep(0), 0.05)
    jobs.start()
    try:
        async with asyncio.timeout(2):
            await jobs.until_ticks("digest_tick", 3)
    finally:
        await jobs.shutdown()
    assert jobs.ticks("digest_tick") >= 3
