"""Recording fakes for the personal service's ports."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot.personal import Me, NotLinked, NotLinkedReason
from bot.personal.tasks import Container, ContainerRef, TaskItem
from bot.store import NOTIFICATION_KINDS, NotificationPreferences

NOW = datetime(2024, 12, 3, 10, 0, tzinfo=UTC)
SITE = "https://acme.atlassian.net/wiki"


class ManualClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


@dataclass
class FakeIdentities:
    linked: dict[str, Me] = field(default_factory=dict)
    refusals: dict[str, NotLinkedReason] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def link(self, user_id: str, account_id: str, team_id: str = "T1") -> Me:
        me = Me(team_id, user_id, account_id, f"conn-{user_id}")
        self.linked[user_id] = me
        return me

    async def me(self, team_id: str | None, user_id: str) -> Me:
        self.asked.append(user_id)
        if user_id in self.linked:
            return self.linked[user_id]
        raise NotLinked(self.refusals.get(user_id, "not_connected"), team_id, user_id)


@dataclass
class FakeTasks:
    """Tasks assigned to accounts, on pages; every call recorded with the connection it used."""

    tasks: dict[str, TaskItem] = field(default_factory=dict)
    assignee: dict[str, str] = field(default_factory=dict)
    pages: dict[ContainerRef, Container] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    refused: set[str] = field(default_factory=set)  # tasks Confluence will not let anyone complete
    calls: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)

    def add_page(self, page_id: str, title: str) -> ContainerRef:
        ref: ContainerRef = ("page", page_id)
        self.pages[ref] = Container("page", page_id, title, f"{SITE}/pages/{page_id}")
        return ref

    def add(
        self,
        task_id: str,
        account_id: str,
        *,
        due_in_days: float | None = None,
        page: ContainerRef | None = None,
        text: str | None = None,
    ) -> TaskItem:
        due = NOW.replace(hour=0) + timedelta(days=due_in_days) if due_in_days is not None else None
        task = TaskItem(task_id, text or f"task {task_id}", False, due, page)
        self.tasks[task_id] = task
        self.assignee[task_id] = account_id
        return task

    def complete_elsewhere(self, task_id: str, by: str) -> None:
        task = self.tasks[task_id]
        self.tasks[task_id] = replace(task, complete=True, completed_by=by, completed_at=NOW)

    def calls_to(self, name: str) -> list[tuple[str, str, tuple[str, ...]]]:
        return [call for call in self.calls if call[0] == name]

    async def open_tasks(self, me: Me, at_most: int) -> tuple[list[TaskItem], bool]:
        self.calls.append(("open_tasks", me.connection_id, ()))
        mine = [
            t
            for t in self.tasks.values()
            if self.assignee[t.id] == me.account_id and not t.complete
        ]
        return mine[:at_most], len(mine) > at_most

    async def containers(
        self, me: Me, refs: Collection[ContainerRef]
    ) -> dict[ContainerRef, Container]:
        self.calls.append(("containers", me.connection_id, tuple(sorted(i for _, i in refs))))
        return {ref: self.pages[ref] for ref in refs if ref in self.pages}

    async def task(self, me: Me, task_id: str) -> TaskItem | None:
        self.calls.append(("task", me.connection_id, (task_id,)))
        return self.tasks.get(task_id)

    async def complete(self, me: Me, task_id: str) -> TaskItem | None:
        self.calls.append(("complete", me.connection_id, (task_id,)))
        task = self.tasks.get(task_id)
        if task is None or task_id in self.refused:
            return None
        if not task.complete:
            task = replace(task, complete=True, completed_by=me.account_id, completed_at=NOW)
            self.tasks[task_id] = task
        return task

    async def display_names(self, me: Me, account_ids: Sequence[str]) -> dict[str, str]:
        self.calls.append(("display_names", me.connection_id, tuple(account_ids)))
        return {a: self.names[a] for a in account_ids if a in self.names}


@dataclass
class FakePreferences:
    rows: dict[tuple[str, str], NotificationPreferences] = field(default_factory=dict)

    async def get(self, team_id: str, slack_user_id: str) -> NotificationPreferences | None:
        return self.rows.get((team_id, slack_user_id))

    async def set(
        self,
        team_id: str,
        slack_user_id: str,
        changes: Mapping[str, bool],
        *,
        now: datetime | None = None,
    ) -> NotificationPreferences:
        assert changes and set(changes) <= set(NOTIFICATION_KINDS)
        old = self.rows.get((team_id, slack_user_id))
        values = {k: getattr(old, k) if old else True for k in NOTIFICATION_KINDS}
        values.update(changes)
        row = NotificationPreferences(
            team_id, slack_user_id, **values, created_at=NOW, updated_at=NOW
        )
        self.rows[(team_id, slack_user_id)] = row
        return row

    async def delete(self, team_id: str, slack_user_id: str) -> bool:
        return self.rows.pop((team_id, slack_user_id), None) is not None
