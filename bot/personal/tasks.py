"""A user's open Confluence tasks: what one is, their order (due date first), pages of them with a
cursor, and how due each one is (pure).

Confluence's task list has no sort order, so the service reads a user's open tasks whole (up to
MAX_OPEN) and orders them here. A page starts after a cursor naming the last task shown before it
(its due date and id): a task completed or added meanwhile moves no other task to another page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

ContainerKind = Literal["page", "blogpost"]
CONTAINER_KINDS: tuple[ContainerKind, ...] = ("page", "blogpost")
ContainerRef = tuple[ContainerKind, str]
DueState = Literal["overdue", "today", "upcoming"]
Outcome = Literal["completed", "already_complete", "gone", "refused"]
SortKey = tuple[int, int, int, str]

MAX_OPEN = 1000  # open tasks read per listing (four requests of 250)
_CURSOR = re.compile(r"^(?P<due>-|\d{1,15})\.(?P<id>[0-9A-Za-z_-]{1,64})$")
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class TaskItem:
    id: str
    text: str  # plain text, short
    complete: bool
    due_at: datetime | None  # aware
    container: ContainerRef | None  # the page or blog post it is on
    completed_by: str | None = None  # account id
    completed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Container:
    kind: ContainerKind
    id: str
    title: str
    url: str | None  # absolute


@dataclass(frozen=True, slots=True)
class TaskRow:
    task: TaskItem
    container: Container | None  # None: Confluence did not give it (gone, or hidden)


@dataclass(frozen=True, slots=True)
class Settled:
    """What clicking Done on one task came to."""

    task_id: str
    outcome: Outcome  # refused: Confluence would not let this user complete it
    row: TaskRow | None  # None: gone (deleted, or no longer visible to the user)
    by: str | None = None  # who completed it, when it was someone else (a display name)


@dataclass(frozen=True, slots=True)
class TasksPage:
    rows: tuple[TaskRow, ...]  # due date first; a settled task keeps its place
    first: int  # position (from 1) of the page's first open task among all of them
    total: int  # open tasks read
    capped: bool  # the user has more than MAX_OPEN open tasks: only that many were read
    after: str | None  # where this page starts (None: the first page)
    next_after: str | None  # where the next page starts (None: this is the last)
    now: datetime
    settled: Settled | None = None


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def sort_key(task: TaskItem) -> SortKey:
    """Due date first (no due date last), then by id (numerically, as Confluence's ids are)."""
    due = task.due_at
    return (0 if due else 1, _ms(due) if due else 0, len(task.id), task.id)


def cursor_of(task: TaskItem) -> str:
    """A page's cursor: short (it travels in a button's value), and enough to find the place."""
    due = task.due_at
    return f"{_ms(due) if due else '-'}.{task.id}"


def key_of(cursor: str) -> SortKey:
    """The sort key a cursor names; ValueError for one this app did not write."""
    match = _CURSOR.match(cursor)
    if match is None:
        raise ValueError(f"not a task cursor: {cursor[:80]!r}")
    due, task_id = match["due"], match["id"]
    return (1, 0, len(task_id), task_id) if due == "-" else (0, int(due), len(task_id), task_id)


def paginate(
    open_tasks: Sequence[TaskItem],
    after: str | None,
    size: int,
    settled: TaskItem | None = None,
) -> tuple[list[TaskItem], int, str | None]:
    """(the page's tasks, the position of its first open task, the next page's cursor).

    `settled`, a task just completed from this page, is shown in its place (it is no longer
    among the open tasks)."""
    if size < 1:
        raise ValueError("a page holds at least one task")
    start = key_of(after) if after else None
    ordered = sorted((t for t in open_tasks if settled is None or t.id != settled.id), key=sort_key)
    before = 0 if start is None else sum(1 for t in ordered if sort_key(t) <= start)
    rest = ordered[before:]
    if settled is not None and (start is None or sort_key(settled) > start):
        rest = sorted([*rest, settled], key=sort_key)
    shown = rest[:size]
    next_after = cursor_of(shown[-1]) if len(rest) > size else None
    return shown, before + 1, next_after


def due_state(due_at: datetime, now: datetime) -> DueState:
    """Overdue once the whole due day is over. Confluence gives a due date as the instant its
    day starts (in a zone of its choosing), so this needs no time zone."""
    if now >= due_at + DAY:
        return "overdue"
    return "today" if now >= due_at else "upcoming"


def due_date(due_at: datetime) -> date:
    """The calendar day a due date names: the UTC midnight nearest to it (the start of that day
    in any zone within 12 hours of UTC)."""
    return (due_at.astimezone(UTC) + DAY / 2).date()
