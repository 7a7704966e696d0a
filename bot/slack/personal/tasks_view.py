"""Block Kit for a page of the user's open tasks: in the answer to `/confluence tasks` and in App
Home's "Your tasks" (all through bot.slack.blocks).

Every block carries a block id starting with BLOCK_PREFIX, so a button on App Home can swap this
section (or one task's row) in the tab the user has open without building the other sections
again. Paging: "Next" carries the next page's cursor in its value, Done the cursor of the page
it is on, so the answer after a click shows the same page (bot.personal.tasks).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.personal import Settled, TaskRow, TasksPage, due_date, due_state
from bot.personal.tasks import MAX_OPEN
from bot.slack import blocks

Block = dict[str, Any]

TASK_DONE_ACTION = "personal_task_done"
TASKS_NEXT_ACTION = "personal_tasks_next"
TASKS_FIRST_ACTION = "personal_tasks_first"
BLOCK_PREFIX = "ptasks:"
MESSAGE_PAGE = 20  # tasks per message (one block each, of 50)
HOME_PAGE = 10  # on App Home, which other sections share (100 blocks)
FIRST = "first"
GONE = (
    ":grey_question: That task is gone: it was deleted, or you can no longer see its page "
    "(moved or restricted)."
)


def row_id(task_id: str) -> str:
    return f"{BLOCK_PREFIX}t:{task_id}"


def done_value(task_id: str, after: str | None) -> str:
    return f"{task_id}|{after or ''}"


def parse_done(value: str) -> tuple[str, str | None] | None:
    """(the task id, the cursor of the page the button was on); None for a value not ours."""
    task_id, bar, after = value.partition("|")
    if not bar or not task_id.isdigit() or len(task_id) > 64:
        return None
    return task_id, after or None


def _day(day: date, now: datetime) -> str:
    shown = f"{day:%a} {day.day} {day:%b}"
    return shown if day.year == now.year else f"{shown} {day.year}"


def _due(row: TaskRow, now: datetime) -> str:
    due_at = row.task.due_at
    if due_at is None:
        return "no due date"
    state = due_state(due_at, now)
    if state == "overdue":
        return f":red_circle: *overdue* (due {_day(due_date(due_at), now)})"
    if state == "today":
        return ":large_orange_circle: *due today*"
    return f"due {_day(due_date(due_at), now)}"


def _where(row: TaskRow) -> str:
    container = row.container
    if container is None:
        return "_on a page you can't open_"
    title = container.title or "Untitled"
    if container.url:
        return blocks.link(container.url, title)
    return blocks.mrkdwn_escape(title)


def _settled_line(settled: Settled, now: datetime) -> str:
    row = settled.row
    at = row.task.completed_at if row is not None else None
    when = f" on {_day(at.date(), now)}" if at is not None else ""
    if settled.outcome == "completed":
        return ":white_check_mark: Completed in Confluence, as you."
    if settled.outcome == "already_complete":
        who = f" by {blocks.mrkdwn_escape(settled.by)}" if settled.by else " (by you)"
        return f":ballot_box_with_check: Already completed in Confluence{who}{when}."
    return (
        ":no_entry: Confluence would not let you complete it: you may no longer be allowed "
        "to edit its page."
    )


def row_text(row: TaskRow, now: datetime, settled: Settled | None = None) -> str:
    text = blocks.mrkdwn_escape(" ".join(row.task.text.split()))
    if settled is not None and settled.outcome != "refused":
        return f"~{text}~\n{_where(row)} · {_settled_line(settled, now)}"
    line = f"{text}\n{_where(row)} · {_due(row, now)}"
    return f"{line}\n{_settled_line(settled, now)}" if settled is not None else line


def row_block(row: TaskRow, page: TasksPage) -> Block:
    settled = page.settled if page.settled and page.settled.task_id == row.task.id else None
    button = None
    if settled is None and not row.task.complete:
        value = done_value(row.task.id, page.after)
        button = blocks.button("Done", TASK_DONE_ACTION, value=value, style="primary")
    return blocks.section(
        row_text(row, page.now, settled), accessory=button, block_id=row_id(row.task.id)
    )


def settled_block(settled: Settled, now: datetime) -> Block:
    """One task's row after Done (App Home swaps it in, in place)."""
    if settled.row is None:
        return blocks.section(GONE, block_id=row_id(settled.task_id))
    return blocks.section(row_text(settled.row, now, settled), block_id=row_id(settled.task_id))


def note_block(text: str) -> Block:
    return blocks.section(text, block_id=f"{BLOCK_PREFIX}note")


def _info(page: TasksPage) -> str:
    shown = sum(1 for row in page.rows if not row.task.complete)
    last = page.first + shown - 1
    span = f"{page.first}–{last}" if shown > 1 else f"{page.first}"
    text = f"Tasks {span} of {page.total} open, due date first."
    if page.capped:
        text += (
            f" You have more than {MAX_OPEN:,} open tasks: these are sorted among the first "
            f"{MAX_OPEN:,} Confluence listed."
        )
    return text


def _nav(page: TasksPage, size: int) -> list[Block]:
    buttons = []
    if page.next_after:
        buttons.append(blocks.button(f"Next {size} →", TASKS_NEXT_ACTION, value=page.next_after))
    if page.after:
        buttons.append(blocks.button("Back to the first", TASKS_FIRST_ACTION, value=FIRST))
    return [blocks.actions(*buttons, block_id=f"{BLOCK_PREFIX}nav")] if buttons else []


def task_blocks(page: TasksPage, size: int) -> list[Block]:
    """The rows of one page (a settled task in its place), how many there are, and paging."""
    shown: list[Block] = []
    settled = page.settled
    placed = {row.task.id for row in page.rows}
    if settled is not None and settled.task_id not in placed:
        lost = GONE if settled.row is None else row_text(settled.row, page.now, settled)
        shown.append(note_block(lost))
    if not page.rows:
        empty = (
            "No more open tasks after these."
            if page.after
            else "You have no open tasks in Confluence. :tada:"
        )
        shown.append(blocks.section(empty, block_id=f"{BLOCK_PREFIX}empty"))
    else:
        shown.extend(row_block(row, page) for row in page.rows)
        shown.append(blocks.context(_info(page), block_id=f"{BLOCK_PREFIX}info"))
    return shown + _nav(page, size)


def message(page: TasksPage) -> dict[str, Any]:
    """The private answer to `/confluence tasks` (and to its buttons)."""
    heading = blocks.header("Your open Confluence tasks", block_id=f"{BLOCK_PREFIX}head")
    fallback = f"Your open Confluence tasks: {page.total}"
    return blocks.message(fallback, [heading, *task_blocks(page, MESSAGE_PAGE)])


def home_section(page: TasksPage) -> list[Block]:
    """App Home's "Your tasks"."""
    return [
        blocks.divider(block_id=f"{BLOCK_PREFIX}top"),
        blocks.header("Your tasks", block_id=f"{BLOCK_PREFIX}head"),
        *task_blocks(page, HOME_PAGE),
    ]


def home_unavailable(text: str) -> list[Block]:
    """The section when the user has no identity of their own, or Confluence did not answer."""
    return [blocks.divider(block_id=f"{BLOCK_PREFIX}top"), note_block(text)]
