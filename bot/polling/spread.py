"""Stand-in (foundation contract): polls spread evenly over an interval."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def slot(key: str, interval: float) -> float:
    digest = int.from_bytes(hashlib.sha1(key.encode()).digest()[:8], "big")
    return (digest / 2**64) * interval


def due(keys: Iterable[str], previous: float, now: float, interval: float) -> list[str]:
    if now - previous >= interval:
        return list(keys)
    found = []
    for key in keys:
        offset = slot(key, interval)
        start = previous - (previous % interval) + offset
        for at in (start - interval, start, start + interval):
            if previous < at <= now:
                found.append(key)
                break
    return found


def stretched_interval(
    polls: int, requests_per_poll: float, budget_rps: float, minimum: float
) -> float:
    return max(minimum, polls * requests_per_poll / budget_rps)
