"""Digest schedules: when a subscription is due, in the subscriber's own time zone.

A schedule names a wall-clock time (hour:minute) in an IANA zone and which local days it runs on.
Each matching local day yields exactly one *due instant* (an aware UTC datetime):

* Nonexistent local times (spring-forward gap) are shifted forward by the size of the gap, as cron
  implementations do: 02:30 in Europe/Berlin on the last Sunday of March runs at 03:30 CEST. This is
  what ``zoneinfo`` gives for ``fold=0`` (the offset from before the transition is used).
* Ambiguous local times (fall-back overlap) run once, at the first occurrence (``fold=0``).

A *period* runs from one due instant up to (not including) the next; ``period_key`` names it by the
local day that produced its due instant, which makes it usable as an exactly-once claim key.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "Frequency",
    "Schedule",
    "Weekday",
    "describe",
    "due_at_or_before",
    "missed_within_grace",
    "next_due",
    "period_key",
]

# Wider than one week so that weekly schedules always find a candidate, plus slack for shifted
# instants that cross midnight and for zones that skipped a whole calendar day (Pacific/Apia 2011).
_SEARCH_DAYS = 9


class Frequency(enum.StrEnum):
    DAILY = "daily"
    WEEKDAYS = "weekdays"  # Monday to Friday
    WEEKLY = "weekly"


class Weekday(enum.IntEnum):
    """Same numbering as ``date.weekday()``."""

    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


@dataclass(frozen=True, slots=True)
class Schedule:
    frequency: Frequency
    hour: int
    minute: int
    tz: str
    weekday: Weekday | None = None  # required for WEEKLY, forbidden otherwise

    def __post_init__(self) -> None:
        if not 0 <= self.hour <= 23:
            raise ValueError(f"hour must be 0..23, got {self.hour}")
        if not 0 <= self.minute <= 59:
            raise ValueError(f"minute must be 0..59, got {self.minute}")
        if (self.frequency is Frequency.WEEKLY) != (self.weekday is not None):
            raise ValueError("weekday is required for weekly schedules and only for them")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)  # ZoneInfo caches instances per key

    def runs_on(self, day: date) -> bool:
        if self.frequency is Frequency.DAILY:
            return True
        if self.frequency is Frequency.WEEKDAYS:
            return day.weekday() < 5
        return day.weekday() == self.weekday


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _due_on(schedule: Schedule, day: date) -> datetime:
    local = datetime.combine(day, time(schedule.hour, schedule.minute), tzinfo=schedule.zone)
    return local.astimezone(UTC)  # fold=0: gap -> shifted forward, overlap -> first occurrence


def _candidates(schedule: Schedule, around: datetime) -> list[tuple[date, datetime]]:
    """(local day, due instant) for matching days in a window centred on ``around``."""
    centre = around.astimezone(schedule.zone).date()
    days = (centre + timedelta(days=offset) for offset in range(-_SEARCH_DAYS, _SEARCH_DAYS + 1))
    return [(day, _due_on(schedule, day)) for day in days if schedule.runs_on(day)]


def _latest_at_or_before(schedule: Schedule, now: datetime) -> tuple[date, datetime] | None:
    past = [c for c in _candidates(schedule, now) if c[1] <= now]
    # Two days can map to one instant only where a zone skipped a day; prefer the later day.
    return max(past, key=lambda c: (c[1], c[0]), default=None)


def next_due(schedule: Schedule, after: datetime) -> datetime:
    """The first due instant strictly after ``after`` (aware), as an aware UTC datetime."""
    _require_aware(after, "after")
    return min(due for _, due in _candidates(schedule, after) if due > after)


def due_at_or_before(schedule: Schedule, now: datetime) -> datetime | None:
    """The most recent due instant at or before ``now`` (aware), as an aware UTC datetime."""
    _require_aware(now, "now")
    latest = _latest_at_or_before(schedule, now)
    return None if latest is None else latest[1]


def period_key(schedule: Schedule, due: datetime) -> str:
    """A stable name for the period containing ``due``, e.g. ``"weekdays:2026-03-30"``.

    Any instant inside a period gives the same key, so a slightly late fire time still claims the
    right period. The key holds the frequency and the local day, not the time of day: moving a
    daily schedule from 09:00 to 17:00 keeps the same key, so a day is never delivered twice.
    """
    _require_aware(due, "due")
    latest = _latest_at_or_before(schedule, due)
    if latest is None:  # pragma: no cover - every schedule has a due day within the window
        raise ValueError("no due instant found near the given time")
    return f"{schedule.frequency.value}:{latest[0].isoformat()}"


def missed_within_grace(
    schedule: Schedule,
    last_delivered_due: datetime | None,
    now: datetime,
    grace: timedelta,
) -> datetime | None:
    """The latest due instant missed while the process was down, if still within ``grace``.

    ``last_delivered_due`` is the due instant of the last delivered period; for a subscription that
    has never delivered, pass its creation time (``None`` means "nothing is known to be delivered").
    Returns at most one instant (older misses are coalesced into it), or None.
    """
    _require_aware(now, "now")
    if last_delivered_due is not None:
        _require_aware(last_delivered_due, "last_delivered_due")
    latest = due_at_or_before(schedule, now)
    if latest is None or now - latest > grace:
        return None
    if last_delivered_due is not None and latest <= last_delivered_due:
        return None
    return latest


def describe(schedule: Schedule) -> str:
    """Human wording, e.g. ``"every weekday at 09:00 (Europe/Berlin)"``."""
    if schedule.frequency is Frequency.DAILY:
        days = "every day"
    elif schedule.frequency is Frequency.WEEKDAYS:
        days = "every weekday"
    else:
        assert schedule.weekday is not None
        days = f"every {schedule.weekday.name.capitalize()}"
    return f"{days} at {schedule.hour:02d}:{schedule.minute:02d} ({schedule.tz})"
