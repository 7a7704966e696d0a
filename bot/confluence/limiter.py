"""Client-side rate limiter: a token bucket shared by every request of one API key, in two lanes.

Interactive requests (a user waiting: search, save, unfurl) wait only when the bucket is empty,
so concurrent requests proceed in parallel up to the rate (Maton allows 10 requests/s per API
key) instead of being serialised: each books its token at once (the bucket may go below zero)
and sleeps until its token exists.

Background requests (pollers) go one at a time, in arrival order, and take a token only while
`reserve` whole tokens stay in the bucket after theirs — so never while an interactive request
waits (the bucket is then below zero) — and no faster than `rate - reserve` per second. A burst
of interactive requests therefore finds the reserve at once, and their steady share is at
least `reserve` per second however busy the pollers are.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from bot.confluence.retry import Clock, SystemClock

__all__ = ["DEFAULT_RESERVE", "Lane", "RateLimiter"]

# Tokens per second (and in the bucket) kept for interactive requests: 2 of Maton's 10/s.
DEFAULT_RESERVE = 2.0
# Float noise when a sleeper wakes exactly when its token comes.
_EPSILON = 1e-9

Lane = Literal["interactive", "background"]


def _default_reserve(rate: float, capacity: float) -> float:
    """2 tokens at Maton's 10/s; a fifth of slower rates; never so many that background
    requests could not run (the bucket must hold the reserve and one more)."""
    return max(0.0, min(DEFAULT_RESERVE, rate / 5, capacity - 1))


class RateLimiter:
    def __init__(
        self,
        rate: float,
        *,
        burst: float | None = None,
        clock: Clock | None = None,
        reserve: float | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = burst if burst is not None else rate
        self.reserve = _default_reserve(rate, self.capacity) if reserve is None else reserve
        if not 0 <= self.reserve < rate or self.reserve + 1 > self.capacity:
            raise ValueError("reserve must leave background requests a rate and a token")
        self.background_rate = rate - self.reserve
        self._clock = clock or SystemClock()
        self._tokens = self.capacity
        self._updated = self._clock.monotonic()
        self._lock = asyncio.Lock()
        self._background_turn = asyncio.Lock()  # background requests queue here, in order
        self._background_next = self._updated  # the background lane's next free moment
        self.granted: dict[Lane, int] = {"interactive": 0, "background": 0}

    def _refill(self) -> None:
        now = self._clock.monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    async def acquire(self, lane: Lane = "interactive") -> None:
        if lane == "background":
            await self._acquire_background()
            return
        # The lock only guards the arithmetic; the wait happens outside so others can compute theirs.
        async with self._lock:
            self._refill()
            self._tokens -= 1
            self.granted["interactive"] += 1
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        if wait > 0:
            await self._clock.sleep(wait)

    async def _acquire_background(self) -> None:
        async with self._background_turn:
            while True:
                async with self._lock:
                    self._refill()
                    now = self._clock.monotonic()
                    wait = max(
                        self._background_next - now,
                        (self.reserve + 1 - self._tokens) / self.rate,
                    )
                    if wait <= _EPSILON:
                        self._tokens -= 1
                        self.granted["background"] += 1
                        start = max(self._background_next, now)
                        self._background_next = start + 1 / self.background_rate
                        return
                # Not booked: an interactive request arriving meanwhile goes first, and this
                # one looks again when it wakes.
                await self._clock.sleep(wait)
