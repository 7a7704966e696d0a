from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest import Frequency, Schedule, Weekday, due_at_or_before, next_due, period_key

# Zones with awkward rules: 30-minute DST, negative DST, DST at midnight, 2-hour DST, a skipped
# calendar day, quarter-hour offsets and no DST at all.
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Europe/Dublin",
    "America/Santiago",
    "America/Havana",
    "Africa/Casablanca",
    "Antarctica/Troll",
    "Pacific/Apia",
    "Pacific/Chatham",
    "America/St_Johns",
]


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    frequency = draw(st.sampled_from(Frequency))
    weekday = draw(st.sampled_from(Weekday)) if frequency is Frequency.WEEKLY else None
    return Schedule(
        frequency,
        draw(st.integers(0, 23)),
        draw(st.sampled_from([0, 15, 30, 45]) | st.integers(0, 59)),
        draw(st.sampled_from(ZONES)),
        weekday,
    )


instants = st.datetimes(
    min_value=datetime(1995, 1, 1), max_value=datetime(2045, 12, 31), timezones=st.just(UTC)
)


@cache
def transitions(tz: str, year: int) -> tuple[datetime, ...]:
    """UTC instants (to the minute) where the zone's offset changes during ``year``."""
    zone = ZoneInfo(tz)

    def offset(moment: datetime) -> timedelta | None:
        return moment.astimezone(zone).utcoffset()

    found = []
    start = datetime(year, 1, 1, tzinfo=UTC)
    for day in range(366):
        low, high = start + timedelta(days=day), start + timedelta(days=day + 1)
        if offset(low) == offset(high):
            continue
        while high - low > timedelta(minutes=1):  # bisect to the minute
            mid = low + (high - low) / 2
            low, high = (mid, high) if offset(mid) == offset(low) else (low, mid)
        found.append(high.replace(second=0, microsecond=0))
    return tuple(found)


@st.composite
def near_transitions(draw: st.DrawFn) -> tuple[Schedule, datetime]:
    """A schedule whose wall-clock time falls in or near a DST gap/overlap, and a start instant
    shortly before that transition: random instants almost never hit these cases."""
    tz = draw(st.sampled_from([z for z in ZONES if z not in ("UTC", "Asia/Kolkata")]))
    year = draw(st.integers(2000, 2040))
    options = transitions(tz, year)
    if not options:
        return draw(schedules()), draw(instants)
    moment = draw(st.sampled_from(options))
    # Wall-clock time just before the transition, in the old offset.
    wall = (moment - timedelta(seconds=1)).astimezone(ZoneInfo(tz)) + timedelta(seconds=1)
    wall += timedelta(minutes=draw(st.integers(-90, 150)))
    frequency = draw(st.sampled_from([Frequency.DAILY, Frequency.WEEKDAYS, Frequency.WEEKLY]))
    weekday = Weekday(wall.weekday()) if frequency is Frequency.WEEKLY else None
    schedule = Schedule(frequency, wall.hour, wall.minute, tz, weekday)
    after = moment - timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
    return schedule, after


def nominal_day(schedule: Schedule, due: datetime) -> date | None:
    """The scheduled local day that produced ``due``, checking the DST rules on the way."""
    local = due.astimezone(schedule.zone)  # sets fold=1 for the second of two ambiguous times
    wall = local.replace(tzinfo=None, fold=0)
    for day in (local.date(), local.date() - timedelta(days=1)):
        naive = datetime.combine(day, time(schedule.hour, schedule.minute))
        if not schedule.runs_on(day) or naive.replace(tzinfo=schedule.zone).astimezone(UTC) != due:
            continue
        if wall == naive:
            assert local.fold == 0, "an ambiguous time must run at its first occurrence"
        else:  # the time does not exist locally: shifted forward over the gap
            assert naive < wall <= naive + timedelta(days=1)
        return day
    return None


@settings(deadline=None)
@given(schedules(), instants)
def test_next_due_properties_at_random(schedule: Schedule, after: datetime) -> None:
    check_next_due(schedule, after)


@settings(deadline=None)
@given(near_transitions())
def test_next_due_properties_around_dst_transitions(case: tuple[Schedule, datetime]) -> None:
    check_next_due(*case)


def check_next_due(schedule: Schedule, after: datetime) -> None:
    due = next_due(schedule, after)
    assert due > after
    assert due.utcoffset() == timedelta(0)
    day = nominal_day(schedule, due)
    assert day is not None, f"{due} is not a due instant of {schedule}"
    assert schedule.runs_on(day)
    # Nothing due was skipped between ``after`` and ``due``.
    assert due_at_or_before(schedule, due) == due
    previous = due_at_or_before(schedule, due - timedelta(microseconds=1))
    assert previous is None or previous <= after

    following = next_due(schedule, due)
    assert following > due
    assert period_key(schedule, following) != period_key(schedule, due)
    assert period_key(schedule, due + (following - due) / 2) == period_key(schedule, due)


@settings(deadline=None)
@given(schedules(), instants)
def test_due_at_or_before_is_not_after_now(schedule: Schedule, now: datetime) -> None:
    latest = due_at_or_before(schedule, now)
    assert latest is not None
    assert latest <= now
    assert next_due(schedule, latest) > now
