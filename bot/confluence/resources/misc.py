"""Tasks, labels, custom content and users."""

from __future__ import annotations

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
    ) -> Pager[Task]:
        return self._list(
            Task,
            f"{V2}/tasks",
            {
                "status": status,
                "space-id": csv(space_id),
                "page-id": csv(page_id),
                "assigned-to": csv(assigned_to),
                "body-format": body_format,
                "limit": limit,
            },
        )

    async def get(self, task_id: str, *, body_format: ListBodyFormat | None = None) -> Task:
        return await self._get(Task, f"{V2}/tasks/{task_id}", {"body-format": body_format})


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
