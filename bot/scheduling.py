"""Periodic jobs (the digest tick, the notification and personal pollers): APScheduler 3.x
behind one small API. The only module that imports APScheduler.

Each process runs its own scheduler with an in-memory job store; processes never coordinate
here. Exactly once comes from the database claims the jobs make, so any number of replicas may
run the same jobs.

    jobs = Jobs(observer=metrics)
    jobs.every("digest_tick", 30, digests.tick)
    jobs.start()                      # in the running loop
    ...
    await jobs.shutdown()

A job's name is its metrics label (``scheduled_job_runs{job="digest_tick"}``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from apscheduler.events import (  # type: ignore[import-untyped]
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]

__all__ = ["LATE_AFTER_SECONDS", "JobObserver", "Jobs"]

log = logging.getLogger("bot.scheduling")

# A run that starts this much after its planned time counts as late.
LATE_AFTER_SECONDS = 5.0


class JobObserver(Protocol):
    """Told about each run of a job (for metrics), by the job's name."""

    def job_ran(self, job: str) -> None: ...

    def job_failed(self, job: str) -> None: ...

    def job_started_late(self, job: str) -> None: ...


@dataclass
class _Job:
    name: str
    seconds: float
    tick: Callable[[], Awaitable[object]]
    start_now: bool
    ticks: int = 0
    running: asyncio.Task[object] | None = None
    ran: asyncio.Event = field(default_factory=asyncio.Event)  # set after each run


class Jobs:
    """Named jobs, each calling its `tick()` every so many seconds; added with `every` before
    `start`. A failing run is logged and counted, and the next one runs as planned."""

    def __init__(self, *, observer: JobObserver | None = None) -> None:
        self._observer = observer
        self._jobs: dict[str, _Job] = {}
        self._scheduler: AsyncIOScheduler | None = None

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._jobs)

    def every(
        self,
        name: str,
        seconds: float,
        tick: Callable[[], Awaitable[object]],
        *,
        start_now: bool = True,
    ) -> None:
        """Run `tick()` every `seconds`, the first time at `start()` when `start_now` (to catch
        up on what was missed while no process ran), else one interval after it."""
        if seconds <= 0:
            raise ValueError("seconds must be positive")
        if name in self._jobs:
            raise ValueError(f"a job named {name!r} is already scheduled")
        if self._scheduler is not None:
            raise RuntimeError("jobs are added before start()")
        self._jobs[name] = _Job(name, seconds, tick, start_now)

    def ticks(self, name: str) -> int:
        """Completed runs of job `name` (failed ones too), for health checks and tests."""
        return self._jobs[name].ticks

    async def until_ticks(self, name: str, count: int) -> None:
        """Wait until job `name` has completed `count` runs (tests; wrap in a timeout)."""
        job = self._jobs[name]
        while job.ticks < count:
            job.ran.clear()
            await job.ran.wait()

    def start(self) -> None:
        """Start in the running event loop."""
        if self._scheduler is not None:
            raise RuntimeError("jobs already started")
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        for job in self._jobs.values():
            # Without next_run_time, the trigger's first time: one interval from now.
            first = {"next_run_time": datetime.now(UTC)} if job.start_now else {}
            scheduler.add_job(
                self._run,
                IntervalTrigger(seconds=job.seconds, timezone=UTC),
                args=(job,),
                id=job.name,
                name=job.name,
                # A run that starts late (busy loop, suspended laptop) still runs if it is less
                # than one interval late; later ones are dropped: the next run is as good.
                misfire_grace_time=max(1, int(job.seconds)),
                # After a stall, one run, not the backlog: a run covers every missed period.
                coalesce=True,
                # A slow run (an outage with retries) must not overlap the next one in this
                # process; other processes are kept apart by the database claims instead.
                max_instances=1,
                replace_existing=True,
                **first,
            )
        scheduler.add_listener(
            self.on_event, EVENT_JOB_SUBMITTED | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
        )
        scheduler.start()
        self._scheduler = scheduler
        log.info(
            "jobs started %s",
            " ".join(f"{job.name}={job.seconds}s" for job in self._jobs.values()),
        )

    async def shutdown(self, grace_seconds: float = 10.0) -> None:
        """Stop scheduling; give runs in progress `grace_seconds`, then cancel them.

        A cancelled run leaves its claims to expire; their lease makes another run retry them.
        """
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        scheduler.pause()  # no new runs; APScheduler's shutdown would cancel running ones
        running = {
            job.running: job.name
            for job in self._jobs.values()
            if job.running is not None and not job.running.done()
        }
        if running:
            _, late = await asyncio.wait(set(running), timeout=grace_seconds)
            for task in late:
                log.warning("cancelling a %s run at shutdown", running[task])
                task.cancel()
            for task in late:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        scheduler.shutdown(wait=False)
        log.info("jobs stopped")

    def on_event(self, event: Any) -> None:
        """APScheduler's report on a job: submitted (late or on time), missed, or skipped
        because its previous run is still going."""
        if self._observer is None or event.job_id not in self._jobs:
            return
        if event.code == EVENT_JOB_SUBMITTED:
            planned = max(event.scheduled_run_times, default=None)
            if (
                planned is None
                or (datetime.now(UTC) - planned).total_seconds() < LATE_AFTER_SECONDS
            ):
                return
        self._observer.job_started_late(event.job_id)

    async def _run(self, job: _Job) -> None:
        job.running = asyncio.current_task()
        try:
            await job.tick()
        except Exception:  # a failed run must not stop the schedule; the next one retries
            log.exception("%s run failed", job.name)
            if self._observer is not None:
                self._observer.job_failed(job.name)
        finally:
            job.ticks += 1
            job.running = None
            job.ran.set()
            if self._observer is not None:
                self._observer.job_ran(job.name)
