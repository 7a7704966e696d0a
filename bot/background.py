"""Background work started after a Slack ack, tracked so shutdown can finish or cancel it."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

log = logging.getLogger("bot.background")


class BackgroundTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing = False

    def spawn(
        self,
        coro: Coroutine[Any, Any, Any],
        *,
        name: str,
        about: str = "",
        on_error: Callable[[], Awaitable[object]] | None = None,
    ) -> asyncio.Task[Any]:
        """Run `coro` in the background. Jobs report the failures they expect themselves; an
        unexpected exception is logged with `about` (who and where) and then `on_error` runs,
        typically to tell the user something went wrong instead of leaving them waiting."""
        if self._closing:
            coro.close()
            raise RuntimeError("shutting down: no new background work")
        # Keep the caller's context (request id for log lines).
        task = asyncio.get_running_loop().create_task(
            _guarded(coro, name, about, on_error), name=name, context=contextvars.copy_context()
        )
        self._tasks.add(task)
        task.add_done_callback(self._done)
        # Cancelled before it started: close the job, or Python warns it was never awaited.
        task.add_done_callback(lambda t: coro.close() if t.cancelled() else None)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            # Jobs report user-facing failures themselves; reaching here is a bug worth a traceback.
            log.error("background task failed name=%s", task.get_name(), exc_info=exc)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def wait_idle(self) -> None:
        """Wait until no background work is running (work spawned meanwhile included)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def drain(self, grace_seconds: float = 10.0) -> None:
        """Refuse new work, wait up to `grace_seconds` for running work, cancel what is left."""
        self._closing = True
        if not self._tasks:
            return
        _, still_running = await asyncio.wait(set(self._tasks), timeout=grace_seconds)
        for task in still_running:
            log.warning("cancelling background task at shutdown name=%s", task.get_name())
            task.cancel()
        if still_running:
            # Bounded: a task that swallows CancelledError must not block shutdown.
            await asyncio.wait(still_running, timeout=1.0)


async def _guarded(
    coro: Coroutine[Any, Any, Any],
    name: str,
    about: str,
    on_error: Callable[[], Awaitable[object]] | None,
) -> Any:
    try:
        return await coro
    except Exception:
        log.exception("background task failed name=%s %s", name, about)
        if on_error is None:
            return None
        try:
            await on_error()
        except Exception:
            log.exception("could not report a failed background task name=%s %s", name, about)
        return None
