"""Per-channel pacing: Slack asks for at most about one message per second per channel."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

__all__ = ["ChannelPacer"]

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class ChannelPacer:
    """At most one message per ``interval`` seconds per channel; channels do not wait on each
    other."""

    def __init__(
        self,
        interval: float = 1.0,
        *,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, channel_id: str) -> None:
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:
            last = self._last.get(channel_id)
            if last is not None:
                wait = last + self._interval - self._monotonic()
                if wait > 0:
                    await self._sleep(wait)
            self._last[channel_id] = self._monotonic()
