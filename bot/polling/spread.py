"""Spreading many polls over one interval: each key gets a stable slot (offset) in it, and the
interval stretches when the request budget cannot serve every key within it."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable

__all__ = ["due", "slot", "stretched_interval"]


def slot(key: str, interval: float) -> float:
    """A stable offset in [0, interval) for `key` (sha1 of it: the same in every process and
    after every restart, evenly spread over many keys)."""
    if interval <= 0:
        raise ValueError("interval must be positive")
    digest = hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).digest()
    fraction = int.from_bytes(digest[:8], "big") / 2**64
    return fraction * interval


def due(keys: Iterable[str], previous: float, now: float, interval: float) -> list[str]:
    """The keys whose slot falls in (previous, now], on a clock of epoch seconds where each key
    comes due at `slot + k * interval`. A stretch of a whole interval or more makes every key due
    (each slot passed at least once); nothing is due when `now <= previous`."""
    if interval <= 0:
        raise ValueError("interval must be positive")
    if now <= previous:
        return []
    keys = list(keys)
    if now - previous >= interval:
        return keys
    start = math.fmod(previous, interval)
    if start < 0:
        start += interval
    end = start + (now - previous)  # may pass the interval's end: then it wraps
    found = []
    for key in keys:
        offset = slot(key, interval)
        if start < offset <= end or start < offset + interval <= end:
            found.append(key)
    return found


def stretched_interval(
    polls: int, requests_per_poll: float, budget_rps: float, minimum: float
) -> float:
    """The interval within which `polls` polls of `requests_per_poll` requests each fit into
    `budget_rps` requests per second, and never under `minimum` seconds."""
    if budget_rps <= 0 or minimum <= 0:
        raise ValueError("budget_rps and minimum must be positive")
    return max(minimum, max(polls, 0) * max(requests_per_poll, 0.0) / budget_rps)
