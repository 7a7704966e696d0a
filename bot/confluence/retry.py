"""Retry policy in one place: which failures are retried, how long to wait, when to give up."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

from bot.confluence.errors import (
    ApiError,
    ConfluenceError,
    ExpiredGrant,
    RequestTimeout,
    TransportError,
)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# 429 and 503 may say when to come back; other 5xx get backoff.
RETRY_AFTER_STATUSES = frozenset({429, 503})
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class Clock(Protocol):
    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    # The whole call, waits included, must finish within this many seconds.
    total_deadline: float = 60.0
    jitter: float = 0.5
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def backoff(self, attempt: int) -> float:
        """Jittered exponential delay before retry number `attempt` (1-based)."""
        delay = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        spread = delay * self.jitter
        return float(max(0.0, delay - spread + self.rng.random() * 2 * spread))

    def delay(self, error: ConfluenceError, attempt: int) -> float:
        """The wait before retry number `attempt`: what the server asked for (Retry-After), else
        backoff."""
        if isinstance(error, ApiError) and error.retry_after is not None:
            return error.retry_after
        return self.backoff(attempt)


def retryable(error: ConfluenceError) -> bool:
    """Worth another attempt (for a request that is safe to repeat): no answer, 429, 5xx, but
    never an expired grant (only the user reconnecting helps)."""
    if isinstance(error, ExpiredGrant):
        return False
    if isinstance(error, ApiError):
        return error.status in RETRYABLE_STATUSES
    return isinstance(error, TransportError)


def retry_reason(error: ConfluenceError) -> str:
    """The metrics label of a retry: 429, 5xx, timeout or network."""
    if isinstance(error, ApiError):
        return "429" if error.status == 429 else "5xx"
    return "timeout" if isinstance(error, RequestTimeout) else "network"


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP date. None when absent or garbage."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())
