"""The task rows and buttons (bot.slack.personal.tasks_view) on their own: values that come back
to us, dates, and the limits of what Slack takes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.personal import Container, TaskItem, TaskRow, TasksPage
from bot.personal.tasks import cursor_of
from bot.slack import block_limits
from bot.slack.personal import tasks_view
from tests.fakes.slack_fake import validate_blocks

NOW = datetime(2024, 12, 3, 10, 0, tzinfo=UTC)


def test_done_values_round_trip_and_others_are_refused() -> None:
    task = TaskItem("9" * 19, "t", False, NOW, ("page", "1"))
    value = tasks_view.done_value(task.id, cursor_of(task))
    assert len(value) < 100 <= block_limits.BUTTON_VALUE
    assert tasks_view.parse_done(value) == (task.id, cursor_of(task))
    assert tasks_view.parse_done("123|") == ("123", None)
    for bad in ("", "123", "abc|", "|1.2", "1/2|"):
        assert tasks_view.parse_done(bad) is None


def test_a_row_names_its_day_with_the_year_only_when_another() -> None:
    def row(due: datetime | None, title: str = "Runbook") -> TaskRow:
        container = Container("page", "1", title, "https://acme.atlassian.net/wiki/x")
        return TaskRow(TaskItem("1", "Ship *it* <now>", False, due, ("page", "1")), container)

    later = tasks_view.row_text(row(NOW + timedelta(days=3)), NOW)
    assert later == (
        "Ship *it* &lt;now&gt;\n<https://acme.atlassian.net/wiki/x|Runbook> · due Fri 6 Dec"
    )
    assert "due Mon 6 Jan 2025" in tasks_view.row_text(row(datetime(2025, 1, 6, tzinfo=UTC)), NOW)
    assert "*overdue* (due Sat 30 Nov)" in tasks_view.row_text(row(NOW - timedelta(days=3)), NOW)


def test_a_full_page_fits_a_message_and_home() -> None:
    rows = tuple(
        TaskRow(TaskItem(str(n), "x" * 150, False, NOW, ("page", "1")), None) for n in range(20)
    )
    page = TasksPage(rows, 21, 300, True, "1.1", "2.2", NOW)
    message = tasks_view.message(page)
    assert len(message["blocks"]) <= block_limits.MESSAGE_BLOCKS
    assert validate_blocks(message["blocks"]) == []
    assert "more than 1,000 open tasks" in str(message)
    home = tasks_view.home_section(TasksPage(rows[:10], 1, 300, False, None, "2.2", NOW))
    assert validate_blocks(home, surface="home") == [] and len(home) == 14
