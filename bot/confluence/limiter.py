"""Client-side rate limiter: a token bucket shared by every request of one API key.

Requests wait only when the bucket is empty, so concurrent requests proceed in parallel up to the rate
(Maton allows 10 requests/s per API key) instead of being serialised.
"""

from __future__ import annotations

import asyncio

from bot.confluence.retry import Clock, SystemClock


class RateLimiter:
    def __init__(
        self, rate: float, *, burst: float | None = None, clock: Clock | None = None
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = burst if burst is not None else rate
        self._clock = clock or SystemClock()
        self._tokens = self.capacity
        self._updated = self._clock.monotonic()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock.monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    async def acquire(self) -> None:
        # The lock only guards the arithmetic; the wait happens outside so others can compute theirs.
        async with self._lock:
            self._refill()
            self._tokens -= 1
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        if wait > 0:
            await self._clock.sleep(wait)
