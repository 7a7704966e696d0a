"""When a failed delivery is tried again: jittered exponential backoff, honouring Retry-After."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

__all__ = ["BACKOFF_BASE", "BACKOFF_MAX", "PAUSED_RETRY", "Jitter", "retry_delay"]

BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(minutes=30)
# A paused subscription's claim is given back this far ahead: no tick retries it.
PAUSED_RETRY = timedelta(days=365)

Jitter = Callable[[float, float], float]


def retry_delay(
    attempts: int, retry_after: float | None = None, *, jitter: Jitter = random.uniform
) -> timedelta:
    """How long to wait after the failure of attempt number `attempts` + 1 (0-based count of
    earlier failures), never less than what Slack asked for in Retry-After."""
    # The exponent is bounded: the cap is reached long before, and timedelta would overflow.
    delay = min(BACKOFF_BASE * (1 << min(attempts, 16)), BACKOFF_MAX)
    delay *= jitter(1.0, 1.2)  # spread the retries of many deliveries that failed together
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay
