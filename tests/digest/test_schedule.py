from datetime import UTC, datetime, timedelta

import pytest

from bot.digest import (
    Frequency,
    Schedule,
    Weekday,
    describe,
    due_at_or_before,
    missed_within_grace,
    next_due,
    period_key,
)

DAILY = Frequency.DAILY
WEEKDAYS = Frequency.WEEKDAYS
WEEKLY = Frequency.WEEKLY


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def daily(hour: int, minute: int, tz: str) -> Schedule:
    return Schedule(DAILY, hour, minute, tz)


def dues(schedule: Schedule, after: datetime, count: int) -> list[datetime]:
    out: list[datetime] = []
    for _ in range(count):
        after = next_due(schedule, after)
        out.append(after)
    return out


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"frequency": DAILY, "hour": 24, "minute": 0, "tz": "UTC"}, "hour"),
        ({"frequency": DAILY, "hour": 9, "minute": 60, "tz": "UTC"}, "minute"),
        ({"frequency": WEEKLY, "hour": 9, "minute": 0, "tz": "UTC"}, "weekday"),
        (
            {"frequency": DAILY, "hour": 9, "minute": 0, "tz": "UTC", "weekday": Weekday.MONDAY},
            "weekday",
        ),
        ({"frequency": DAILY, "hour": 9, "minute": 0, "tz": "Mars/Olympus"}, "time zone"),
        ({"frequency": DAILY, "hour": 9, "minute": 0, "tz": "../etc/passwd"}, "time zone"),
    ],
)
def test_invalid_schedules_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Schedule(**kwargs)  # type: ignore[arg-type]


def test_naive_datetimes_are_refused() -> None:
    schedule = daily(9, 0, "UTC")
    with pytest.raises(ValueError, match="timezone-aware"):
        next_due(schedule, datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at_or_before(schedule, datetime(2026, 1, 1))


# --- next_due -------------------------------------------------------------------------------


def test_daily_in_utc_is_strictly_after() -> None:
    schedule = daily(9, 0, "UTC")
    assert next_due(schedule, utc(2026, 3, 2, 8, 59)) == utc(2026, 3, 2, 9, 0)
    assert next_due(schedule, utc(2026, 3, 2, 9, 0)) == utc(2026, 3, 3, 9, 0)
    assert next_due(schedule, utc(2026, 3, 2, 9, 0) - timedelta(microseconds=1)) == utc(
        2026, 3, 2, 9, 0
    )


def test_result_is_utc_even_for_other_input_zones() -> None:
    from zoneinfo import ZoneInfo

    after = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
    result = next_due(daily(9, 0, "Asia/Kolkata"), after)
    assert result == utc(2026, 3, 2, 3, 30)
    assert result.tzinfo is UTC


def test_kolkata_has_no_dst_and_a_half_hour_offset() -> None:
    schedule = Schedule(WEEKDAYS, 9, 0, "Asia/Kolkata")
    # Friday 09:30 IST -> the next weekday is Monday.
    assert dues(schedule, utc(2026, 3, 27, 4, 0), 2) == [
        utc(2026, 3, 30, 3, 30),
        utc(2026, 3, 31, 3, 30),
    ]


def test_weekdays_skip_the_weekend() -> None:
    schedule = Schedule(WEEKDAYS, 8, 15, "Europe/Berlin")
    got = dues(schedule, utc(2026, 1, 1), 10)  # Thursday
    assert [d.astimezone(schedule.zone).strftime("%a %H:%M") for d in got] == [
        "Thu 08:15",
        "Fri 08:15",
        "Mon 08:15",
        "Tue 08:15",
        "Wed 08:15",
        "Thu 08:15",
        "Fri 08:15",
        "Mon 08:15",
        "Tue 08:15",
        "Wed 08:15",
    ]


def test_weekly_runs_once_a_week_on_its_day() -> None:
    schedule = Schedule(WEEKLY, 17, 0, "America/New_York", Weekday.FRIDAY)
    got = dues(schedule, utc(2026, 2, 25), 3)
    assert got == [utc(2026, 2, 27, 22, 0), utc(2026, 3, 6, 22, 0), utc(2026, 3, 13, 21, 0)]


def test_weekly_on_the_same_day_after_the_time_waits_a_week() -> None:
    schedule = Schedule(WEEKLY, 9, 0, "UTC", Weekday.MONDAY)
    assert next_due(schedule, utc(2026, 3, 2, 9, 1)) == utc(2026, 3, 9, 9, 0)


def test_new_york_keeps_local_time_across_spring_forward() -> None:
    schedule = daily(9, 0, "America/New_York")
    assert dues(schedule, utc(2026, 3, 7), 2) == [utc(2026, 3, 7, 14, 0), utc(2026, 3, 8, 13, 0)]


# Spring forward: a nonexistent local time is shifted forward by the size of the gap.
@pytest.mark.parametrize(
    ("tz", "hour", "minute", "after", "expected", "local"),
    [
        ("Europe/Berlin", 2, 30, utc(2026, 3, 28, 12), utc(2026, 3, 29, 1, 30), "03:30"),
        ("America/New_York", 2, 15, utc(2026, 3, 7, 12), utc(2026, 3, 8, 7, 15), "03:15"),
        # Lord Howe's gap is 30 minutes: 02:00 -> 02:30.
        ("Australia/Lord_Howe", 2, 15, utc(2026, 10, 3), utc(2026, 10, 3, 15, 45), "02:45"),
    ],
)
def test_spring_forward_gap_runs_shifted_by_the_gap(
    tz: str, hour: int, minute: int, after: datetime, expected: datetime, local: str
) -> None:
    schedule = daily(hour, minute, tz)
    got = next_due(schedule, after)
    assert got == expected
    assert got.astimezone(schedule.zone).strftime("%H:%M") == local
    # The day after, the normal wall-clock time applies again.
    following = next_due(schedule, got).astimezone(schedule.zone)
    assert (following.hour, following.minute) == (hour, minute)
    assert following.date() == got.astimezone(schedule.zone).date() + timedelta(days=1)


# Fall back: an ambiguous local time runs once, at its first occurrence.
@pytest.mark.parametrize(
    ("tz", "hour", "minute", "after", "first", "next_day"),
    [
        (
            "Europe/Berlin",
            2,
            30,
            utc(2026, 10, 24, 12),
            utc(2026, 10, 25, 0, 30),
            utc(2026, 10, 26, 1, 30),
        ),
        (
            "America/New_York",
            1,
            30,
            utc(2026, 10, 31, 12),
            utc(2026, 11, 1, 5, 30),
            utc(2026, 11, 2, 6, 30),
        ),
        (
            "Australia/Lord_Howe",
            1,
            45,
            utc(2026, 4, 4),
            utc(2026, 4, 4, 14, 45),
            utc(2026, 4, 5, 15, 15),
        ),
    ],
)
def test_fall_back_overlap_runs_once_at_first_occurrence(
    tz: str, hour: int, minute: int, after: datetime, first: datetime, next_day: datetime
) -> None:
    schedule = daily(hour, minute, tz)
    assert dues(schedule, after, 2) == [first, next_day]
    # Even just after the first occurrence (during the repeated hour) nothing else is due that day.
    assert next_due(schedule, first + timedelta(minutes=1)) == next_day


def test_skipped_calendar_day_yields_one_due_instant() -> None:
    # Pacific/Apia skipped 2011-12-30 entirely; its 09:00 and 12-31's 09:00 are one instant.
    schedule = daily(9, 0, "Pacific/Apia")
    got = dues(schedule, utc(2011, 12, 29), 3)
    assert got == [utc(2011, 12, 29, 19), utc(2011, 12, 30, 19), utc(2011, 12, 31, 19)]
    keys = [period_key(schedule, d) for d in got]
    assert keys == ["daily:2011-12-29", "daily:2011-12-31", "daily:2012-01-01"]


# --- due_at_or_before -------------------------------------------------------------------------


def test_due_at_or_before_includes_now_and_otherwise_looks_back() -> None:
    schedule = Schedule(WEEKDAYS, 9, 0, "UTC")
    assert due_at_or_before(schedule, utc(2026, 3, 2, 9, 0)) == utc(2026, 3, 2, 9, 0)
    assert due_at_or_before(schedule, utc(2026, 3, 2, 8, 59)) == utc(2026, 2, 27, 9, 0)  # Fri
    assert due_at_or_before(schedule, utc(2026, 3, 1, 23, 0)) == utc(2026, 2, 27, 9, 0)


def test_due_at_or_before_over_the_berlin_gap() -> None:
    schedule = daily(2, 30, "Europe/Berlin")
    assert due_at_or_before(schedule, utc(2026, 3, 29, 1, 29)) == utc(2026, 3, 28, 1, 30)
    assert due_at_or_before(schedule, utc(2026, 3, 29, 1, 30)) == utc(2026, 3, 29, 1, 30)


# --- period_key ---------------------------------------------------------------------------------


def test_period_key_is_stable_and_changes_with_the_period() -> None:
    schedule = Schedule(WEEKDAYS, 9, 0, "Europe/Berlin")
    due = next_due(schedule, utc(2026, 3, 29, 12))
    assert period_key(schedule, due) == period_key(schedule, due) == "weekdays:2026-03-30"
    # Any instant inside the period (e.g. a late fire) names the same period.
    assert period_key(schedule, due + timedelta(hours=5)) == "weekdays:2026-03-30"
    later = next_due(schedule, due)
    assert period_key(schedule, later) == "weekdays:2026-03-31"
    assert period_key(schedule, later - timedelta(microseconds=1)) == "weekdays:2026-03-30"


def test_period_key_names_the_nominal_local_day_in_a_gap() -> None:
    schedule = daily(2, 30, "Europe/Berlin")
    assert period_key(schedule, utc(2026, 3, 29, 1, 30)) == "daily:2026-03-29"


def test_period_key_uses_the_local_day_not_the_utc_day() -> None:
    schedule = daily(7, 0, "Australia/Lord_Howe")
    due = next_due(schedule, utc(2026, 6, 1))
    assert due == utc(2026, 6, 1, 20, 30)
    assert period_key(schedule, due) == "daily:2026-06-02"


# --- missed_within_grace --------------------------------------------------------------------------


GRACE = timedelta(hours=1)


def test_missed_due_within_grace_is_returned() -> None:
    schedule = daily(9, 0, "UTC")
    assert missed_within_grace(schedule, utc(2026, 3, 1, 9), utc(2026, 3, 2, 9, 20), GRACE) == utc(
        2026, 3, 2, 9
    )


def test_missed_due_beyond_grace_is_dropped() -> None:
    schedule = daily(9, 0, "UTC")
    assert missed_within_grace(schedule, utc(2026, 3, 1, 9), utc(2026, 3, 2, 10, 1), GRACE) is None


def test_already_delivered_due_is_not_missed() -> None:
    schedule = daily(9, 0, "UTC")
    assert missed_within_grace(schedule, utc(2026, 3, 2, 9), utc(2026, 3, 2, 9, 20), GRACE) is None


def test_only_the_latest_of_several_misses_is_returned() -> None:
    schedule = daily(9, 0, "UTC")
    got = missed_within_grace(
        schedule, utc(2026, 2, 20, 9), utc(2026, 3, 2, 9, 5), timedelta(days=30)
    )
    assert got == utc(2026, 3, 2, 9)


def test_never_delivered_counts_any_recent_due() -> None:
    schedule = daily(9, 0, "UTC")
    assert missed_within_grace(schedule, None, utc(2026, 3, 2, 9, 5), GRACE) == utc(2026, 3, 2, 9)
    # A subscription created after the due instant did not miss it.
    assert (
        missed_within_grace(schedule, utc(2026, 3, 2, 9, 1), utc(2026, 3, 2, 9, 5), GRACE) is None
    )


def test_grace_boundary_is_inclusive() -> None:
    schedule = daily(9, 0, "UTC")
    assert missed_within_grace(schedule, None, utc(2026, 3, 2, 10), GRACE) == utc(2026, 3, 2, 9)


# --- describe -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "text"),
    [
        (Schedule(WEEKDAYS, 9, 0, "Europe/Berlin"), "every weekday at 09:00 (Europe/Berlin)"),
        (Schedule(DAILY, 7, 5, "UTC"), "every day at 07:05 (UTC)"),
        (
            Schedule(WEEKLY, 17, 30, "America/New_York", Weekday.MONDAY),
            "every Monday at 17:30 (America/New_York)",
        ),
    ],
)
def test_describe(schedule: Schedule, text: str) -> None:
    assert describe(schedule) == text


def test_weekly_day_that_a_zone_skipped_runs_at_the_same_instant_next_day() -> None:
    # Friday 2011-12-30 did not exist in Pacific/Apia: its 09:00 is Saturday 09:00 (+14:00).
    schedule = Schedule(WEEKLY, 9, 0, "Pacific/Apia", Weekday.FRIDAY)
    assert next_due(schedule, utc(2011, 12, 25)) == utc(2011, 12, 30, 19)
    assert period_key(schedule, utc(2011, 12, 30, 19)) == "weekly:2011-12-30"
