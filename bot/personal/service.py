"""The personal use cases: a user's open tasks and Done, their notification preferences, and
forgetting them (on disconnect). Always as the user themselves: NotLinked otherwise."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import replace

from bot.personal.ports import (
    Clock,
    FeedState,
    Identities,
    Me,
    PreferenceStore,
    SystemClock,
    TaskSource,
)
from bot.personal.preferences import KINDS, Kind, Preferences
from bot.personal.tasks import MAX_OPEN, Settled, TaskItem, TaskRow, TasksPage, paginate

log = logging.getLogger("bot.personal")

PAGE_SIZE = 20


class PersonalService:
    def __init__(
        self,
        *,
        identities: Identities,
        tasks: TaskSource,
        preferences: PreferenceStore,
        clock: Clock | None = None,
        feed: FeedState | None = None,
    ) -> None:
        self._identities = identities
        self._feed = feed
        self._tasks = tasks
        self._preferences = preferences
        self._clock = clock or SystemClock()

    # -- tasks -----------------------------------------------------------------------------------

    async def open_tasks(
        self,
        team_id: str | None,
        user_id: str,
        *,
        after: str | None = None,
        size: int = PAGE_SIZE,
        settled: Settled | None = None,
    ) -> TasksPage:
        """One page of the user's open tasks, due date first, starting after the cursor `after`
        (one from an earlier page; ValueError for any other). `settled` (a task just completed
        from this page) keeps its place. Raises NotLinked or ConfluenceError."""
        me = await self._identities.me(team_id, user_id)
        found, capped = await self._tasks.open_tasks(me, MAX_OPEN)
        kept = settled.row if settled is not None else None
        done_id = kept.task.id if kept is not None and kept.task.complete else None
        still_open = [t for t in found if t.id != done_id]  # Confluence may not have caught up
        shown, first, next_after = paginate(
            still_open, after, size, kept.task if kept is not None else None
        )
        rows = await self._rows(me, [t for t in shown if kept is None or t.id != kept.task.id])
        if kept is not None:
            rows[kept.task.id] = kept
        ordered = tuple(rows[t.id] for t in shown)
        total = len(still_open)
        return TasksPage(
            rows=ordered,
            first=first,
            total=total,
            capped=capped,
            after=after,
            next_after=next_after,
            now=self._clock.now(),
            settled=settled,
        )

    async def complete(self, team_id: str | None, user_id: str, task_id: str) -> Settled:
        """Complete one task as the user. A task already complete (elsewhere, or by a second
        click) is reported as such, a gone one as gone: neither is an error. Raises NotLinked or
        ConfluenceError."""
        me = await self._identities.me(team_id, user_id)
        task = await self._tasks.task(me, task_id)
        if task is None:
            log.info("task gone user=%s task=%s", user_id, task_id)
            return Settled(task_id, "gone", None)
        if task.complete:
            by = None
            if task.completed_by and task.completed_by != me.account_id:
                names = await self._tasks.display_names(me, [task.completed_by])
                by = names.get(task.completed_by, "someone else")
            return Settled(task_id, "already_complete", await self._row(me, task), by)
        done = await self._tasks.complete(me, task_id)
        if done is None:
            log.info("task completion refused user=%s task=%s", user_id, task_id)
            return Settled(task_id, "refused", await self._row(me, task))
        completed = replace(
            task, complete=True, completed_by=done.completed_by, completed_at=done.completed_at
        )
        log.info("task completed user=%s task=%s", user_id, task_id)
        return Settled(task_id, "completed", await self._row(me, completed))

    async def _rows(self, me: Me, tasks: Sequence[TaskItem]) -> dict[str, TaskRow]:
        refs = {t.container for t in tasks if t.container is not None}
        containers = await self._tasks.containers(me, refs) if refs else {}
        return {
            t.id: TaskRow(t, containers.get(t.container) if t.container else None) for t in tasks
        }

    async def _row(self, me: Me, task: TaskItem) -> TaskRow:
        return (await self._rows(me, [task]))[task.id]

    # -- notification preferences ----------------------------------------------------------------

    async def preferences(self, team_id: str | None, user_id: str) -> Preferences:
        """The user's choice (all on until they make one). Raises NotLinked."""
        me = await self._identities.me(team_id, user_id)
        return Preferences.of(await self._preferences.get(me.team_id, user_id))

    async def switch(
        self, team_id: str | None, user_id: str, kinds: Collection[Kind], on: bool
    ) -> Preferences:
        """Turn these kinds on or off, the others as they were. Raises NotLinked."""
        me = await self._identities.me(team_id, user_id)
        changes: dict[str, bool] = dict.fromkeys(kinds, on)
        stored = await self._preferences.set(me.team_id, user_id, changes)
        log.info("preferences switched user=%s kinds=%s on=%s", user_id, ",".join(kinds), on)
        return Preferences.of(stored)

    async def choose(
        self, team_id: str | None, user_id: str, kinds: Collection[Kind]
    ) -> Preferences:
        """Exactly these kinds on (App Home's checkboxes send the whole choice). Raises NotLinked."""
        me = await self._identities.me(team_id, user_id)
        chosen = Preferences.only(kinds)
        changes: dict[str, bool] = {kind: chosen.wants(kind) for kind in KINDS}
        stored = await self._preferences.set(me.team_id, user_id, changes)
        log.info("preferences chosen user=%s kinds=%s", user_id, ",".join(chosen.enabled))
        return Preferences.of(stored)

    # -- disconnect ------------------------------------------------------------------------------

    async def forget(self, team_id: str | None, user_id: str) -> None:
        """Delete everything personal kept for this user (they disconnected): their preferences
        and the DM feed's state (watermark, the DM being merged into, what was sent)."""
        removed = await self._preferences.delete(team_id or "", user_id)
        if self._feed is not None:
            await self._feed.forget(team_id or "", user_id)
        log.info(
            "personal state forgotten user=%s team=%s preferences=%s", user_id, team_id, removed
        )
