"""The time window one poll of a group covers, from the group's watermark."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["CATCH_UP", "OVERLAP", "Window", "next_window"]

# CQL `lastmodified`/`created` literals are to the minute, read in the caller's time zone: a
# window starts this far behind the watermark, and the feature de-duplicates what it sees twice.
OVERLAP = timedelta(minutes=2)
# Activity older than this (a process down for a day) is not replayed, only summarised
# (settings NOTIFY_CATCH_UP_HOURS).
CATCH_UP = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Window:
    """Query activity in [since, until); `until` becomes the group's next watermark.

    `skipped_from` is set when the watermark was older than the catch-up limit: activity in
    [skipped_from, since) is not replayed; the feature may summarise it in one message."""

    since: datetime
    until: datetime
    skipped_from: datetime | None = None


def _aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


def next_window(
    watermark: datetime | None,
    now: datetime,
    *,
    overlap: timedelta = OVERLAP,
    catch_up: timedelta = CATCH_UP,
) -> Window:
    """The window after `watermark` up to `now`, starting `overlap` earlier.

    No watermark: the group is new and starts now (features seed a watermark when a group is
    created, so this is only a fallback). A watermark older than `catch_up` before now: the
    window starts at `now - catch_up` and says where the skipped stretch began. A watermark in
    the future (clock skew between replicas) is read as now."""
    _aware("now", now)
    if overlap < timedelta(0) or catch_up <= timedelta(0):
        raise ValueError("overlap must not be negative and catch_up must be positive")
    if watermark is None:
        return Window(since=now - overlap, until=now)
    _aware("watermark", watermark)
    watermark = min(watermark, now)
    earliest = now - catch_up
    if watermark < earliest:
        return Window(since=earliest, until=now, skipped_from=watermark - overlap)
    return Window(since=max(watermark - overlap, earliest), until=now)
