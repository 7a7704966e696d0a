"""Stand-in (foundation contract): the window a poll reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

OVERLAP = timedelta(minutes=2)
CATCH_UP = timedelta(hours=24)


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime
    skipped_from: datetime | None


def next_window(
    watermark: datetime | None,
    now: datetime,
    *,
    overlap: timedelta = OVERLAP,
    catch_up: timedelta = CATCH_UP,
) -> Window:
    if watermark is None:
        return Window(now - overlap, now, None)
    if now - watermark > catch_up:
        return Window(now - catch_up, now, watermark)
    return Window(watermark - overlap, now, None)
