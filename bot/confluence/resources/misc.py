"""Tasks, labels, custom content and users."""

from __future__ import annotations

from datetime import datetime

from bot.confluence.models import CustomContent, Label, Task, User
from bot.confluence.paging import Pager
from bot.confluence.resources.base import V1, V2, Resource, csv
from bot.confluence.resources.params import ListBodyFormat, TaskStatus


class TasksAPI(Resource):
    def list(
        self,
        *,
        status: TaskStatus | None = None,
        space_id: str | list[str] | None = None,
        page_id: str | list[str] | None = None,
        assigned_to: str | list[str] | None = None,
        body_format: ListBodyFormat | None = None,
        limit: int | None = None,
        blogpost_id: str | list[str] | None = None,
        created_by: str | list[str] | None = None,
        due_at_from: datetime | None = None,
        due_at_to: datetime | None = None,
        created_at_from: datetime | None = None,
        created_at_to: datetime | None = None,
        include_blank_tasks: bool | None = None,
    ) -> Pager[Task]:
        """Tasks the identity can see. Date bounds are inclusive (sent as epoch milliseconds, as
        Confluence takes them); ``include_blank_tasks`` defaults to true at Confluence."""
        return self._list(
            Task,
            f"{V2}/tasks",
            {
                "status": status,
                "space-id": csv(space_id),
                "page-id": csv(page_id),
                "blogpost-id": csv(blogpost_id),
                "created-by": csv(created_by),
                "assigned-to": csv(assigned_to),
                "due-at-from": _epoch_ms(due_at_from),
                "due-at-to": _epoch_ms(due_at_to),
                "created-at-from": _epoch_ms(created_at_from),
                "created-at-to": _epoch_ms(created_at_to),
                "include-blank-tasks": None
                if include_blank_tasks is None
                else str(include_blank_tasks).lower(),
                "body-format": body_format,
                "limit": limit,
            },
        )

    async def get(self, task_id: str, *, body_format: ListBodyFormat | None = None) -> Task:
        return await self._get(Task, f"{V2}/tasks/{task_id}", {"body-format": body_format})

    async def update(self, task_id: str, status: TaskStatus) -> Task:
        """Complete or reopen a task as this identity (v2 ``PUT /tasks/{id}``; ``status`` is the
        one field Confluence requires, and the only one it changes)."""
        return await self._send("PUT", Task, f"{V2}/tasks/{task_id}", {"status": status})


def _epoch_ms(when: datetime | None) -> int | None:
    if when is None:
        return None
    if when.tzinfo is None:
        raise ValueError("task date bounds must be timezone-aware")
    return int(when.timestamp() * 1000)


class LabelsAPI(Resource):
    def list(
        self, *, prefix: str | list[str] | None = None, limit: int | None = None
    ) -> Pager[Label]:
        return self._list(Label, f"{V2}/labels", {"prefix": csv(prefix), "limit": limit})


class CustomContentAPI(Resource):
    def list(
        self,
        type: str,
        *,
        space_id: str | list[str] | None = None,
        body_format: ListBodyFormat | None = None,
        limit: int | None = None,
    ) -> Pager[CustomContent]:
        return self._list(
            CustomContent,
            f"{V2}/custom-content",
            {"type": type, "space-id": csv(space_id), "body-format": body_format, "limit": limit},
        )


class UsersAPI(Resource):
    async def current(self) -> User:
        """The identity these calls act as (v1: v2 has no current-user endpoint)."""
        return await self._get(User, f"{V1}/user/current")

    async def bulk(self, account_ids: list[str]) -> dict[str, User]:
        """Users by account id (v2 POST /users-bulk, batches of 100); missing ids are absent."""
        found: dict[str, User] = {}
        unique = list(dict.fromkeys(account_ids))
        for start in range(0, len(unique), 100):
            batch = unique[start : start + 100]
            # A read despite the POST verb: safe to retry.
            payload = await self._json(
                "POST", f"{V2}/users-bulk", json={"accountIds": batch}, idempotent=True
            )
            for item in payload.get("results", []) if isinstance(payload, dict) else []:
                user = User.model_validate(item)
                found[user.account_id] = user
        return found
