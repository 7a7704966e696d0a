"""When to look for due digests: an APScheduler 3.x job that calls one tick function.

The only module that imports APScheduler. Each process runs its own scheduler with an in-memory
job store; processes never coordinate here. Exactly once comes from the database claims made by
the tick (see ``bot.digest.service``), so any number of replicas may run this.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from apscheduler.events import (  # type: ignore[import-untyped]
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]

__all__ = ["DigestScheduler"]

log = logging.getLogger("bot.digest.scheduler")

JOB_ID = "digest-tick"
JOB_LABEL = "digest_tick"  # the job's name in metrics
DEFAULT_INTERVAL_SECONDS = 30.0
# A tick that starts this much after its planned time counts as late.
LATE_AFTER_SECONDS = 5.0


class JobObserver(Protocol):
    """Told about each run of the job (for metrics)."""

    def job_ran(self, job: str) -> None: ...

    def job_failed(self, job: str) -> None: ...

    def job_started_late(self, job: str) -> None: ...


class DigestScheduler:
    """Calls ``tick()`` every ``interval_seconds``, starting at once (to catch up on digests
    missed while the process was down). Digests are posted within about one interval of their
    due minute."""

    def __init__(
        self,
        tick: Callable[[], Awaitable[object]],
        *,
        interval_seconds: float = DEFAULT_INTERVAL_SECONDS,
        observer: JobObserver | None = None,
    ) -> None:
        if interval_seconds <= 0:
            raise ValueError("interval_seconds must be positive")
        self._tick = tick
        self._observer = observer
        self._interval = interval_seconds
        self._scheduler: AsyncIOScheduler | None = None
        self._running: asyncio.Task[object] | None = None
        self.ticks = 0  # completed ticks, for health checks and tests

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    def start(self) -> None:
        """Start in the running event loop."""
        if self._scheduler is not None:
            raise RuntimeError("scheduler already started")
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        scheduler.add_job(
            self._run,
            IntervalTrigger(seconds=self._interval, timezone=UTC),
            id=JOB_ID,
            name=JOB_ID,
            next_run_time=datetime.now(UTC),
            # A tick that starts late (busy loop, suspended laptop) still runs if it is less than
            # one interval late; later ones are dropped because the next tick is as good.
            misfire_grace_time=max(1, int(self._interval)),
            # After a stall, run one tick, not the backlog: a tick already covers every missed
            # period (within the grace setting).
            coalesce=True,
            # A slow tick (a Confluence outage with retries) must not overlap the next one in
            # this process; other processes are kept apart by the database claims instead.
            max_instances=1,
            replace_existing=True,
        )
        scheduler.add_listener(
            self.on_event, EVENT_JOB_SUBMITTED | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
        )
        scheduler.start()
        self._scheduler = scheduler
        log.info("digest scheduler started interval=%ss", self._interval)

    async def shutdown(self, grace_seconds: float = 10.0) -> None:
        """Stop scheduling; give a tick in progress ``grace_seconds``, then cancel it.

        A cancelled tick leaves its claims to expire; their lease makes another run retry them.
        """
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        scheduler.pause()  # no new ticks; APScheduler's shutdown would cancel a running one
        running = self._running
        if running is not None and not running.done():
            done, _ = await asyncio.wait({running}, timeout=grace_seconds)
            if not done:
                log.warning("cancelling a digest tick at shutdown")
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await running
        scheduler.shutdown(wait=False)
        log.info("digest scheduler stopped")

    def on_event(self, event: Any) -> None:
        """APScheduler's report on the job: submitted (late or on time), missed, or skipped
        because the previous tick is still running."""
        if self._observer is None:
            return
        if event.code == EVENT_JOB_SUBMITTED:
            planned = max(event.scheduled_run_times, default=None)
            if (
                planned is None
                or (datetime.now(UTC) - planned).total_seconds() < LATE_AFTER_SECONDS
            ):
                return
        self._observer.job_started_late(JOB_LABEL)

    async def _run(self) -> None:
        self._running = asyncio.current_task()
        try:
            await self._tick()
        except Exception:  # a failed tick must not stop the schedule; the next one retries
            log.exception("digest tick failed")
            if self._observer is not None:
                self._observer.job_failed(JOB_LABEL)
        finally:
            self.ticks += 1
            self._running = None
            if self._observer is not None:
                self._observer.job_ran(JOB_LABEL)
