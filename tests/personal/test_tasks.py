from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.personal.tasks import (
    TaskItem,
    cursor_of,
    due_date,
    due_state,
    key_of,
    paginate,
    sort_key,
)

BASE = datetime(2024, 12, 1, tzinfo=UTC)


def task(task_id: str, due_days: int | None) -> TaskItem:
    due = BASE + timedelta(days=due_days) if due_days is not None else None
    return TaskItem(task_id, f"t{task_id}", False, due, ("page", "1"))


def test_due_date_first_then_no_due_date_ids_numerically() -> None:
    tasks = [task("10", None), task("9", None), task("3", 5), task("20", 1), task("100", 1)]
    ordered = [t.id for t in sorted(tasks, key=sort_key)]
    assert ordered == ["20", "100", "3", "9", "10"]


def test_cursor_round_trip_and_refusals() -> None:
    for t in (task("123", 4), task("77", None)):
        assert key_of(cursor_of(t)) == sort_key(t)
    for bad in ("", "x.1", "1.", "-.a/b", "1.2.3", "9" * 16 + ".1"):
        with pytest.raises(ValueError):
            key_of(bad)


def test_pages_walk_every_task_once() -> None:
    tasks = [task(str(n), n % 7 if n % 3 else None) for n in range(1, 301)]
    seen: list[str] = []
    after = None
    firsts = []
    while True:
        shown, first, after = paginate(tasks, after, 20)
        firsts.append(first)
        seen += [t.id for t in shown]
        if after is None:
            break
    assert sorted(seen, key=int) == [str(n) for n in range(1, 301)]
    assert seen == [t.id for t in sorted(tasks, key=sort_key)]
    assert firsts == list(range(1, 301, 20))


def test_a_task_completed_meanwhile_moves_no_other_task_to_another_page() -> None:
    tasks = [task(str(n), n) for n in range(1, 51)]
    _, _, after = paginate(tasks, None, 20)
    remaining = [t for t in tasks if t.id != "5"]  # completed from the first page
    page2, first, _ = paginate(remaining, after, 20)
    assert [t.id for t in page2] == [str(n) for n in range(21, 41)]
    assert first == 20  # one open task fewer before it


def test_a_settled_task_keeps_its_place() -> None:
    tasks = [task(str(n), n) for n in range(1, 11)]
    done = tasks[3]
    shown, _, _ = paginate([t for t in tasks if t is not done], None, 5, done)
    assert [t.id for t in shown] == ["1", "2", "3", "4", "5"]
    shown, _, after = paginate([t for t in tasks if t is not done], cursor_of(tasks[4]), 5, done)
    assert [t.id for t in shown] == ["6", "7", "8", "9", "10"] and after is None


def test_due_states() -> None:
    due = datetime(2024, 12, 3, tzinfo=UTC)
    assert due_state(due, due - timedelta(minutes=1)) == "upcoming"
    assert due_state(due, due) == "today"
    assert due_state(due, due + timedelta(hours=23, minutes=59)) == "today"
    assert due_state(due, due + timedelta(days=1)) == "overdue"


@given(
    st.sampled_from(["Pacific/Honolulu", "America/New_York", "UTC", "Europe/Berlin", "Asia/Tokyo"])
)
def test_due_date_names_the_day_in_the_zone_it_was_set_in(zone: str) -> None:
    midnight = datetime(2024, 12, 3, tzinfo=ZoneInfo(zone))
    assert due_date(midnight) == date(2024, 12, 3)
    assert due_date(midnight.astimezone(UTC)) == date(2024, 12, 3)
