"""The task source over the Confluence client: each call as the user's own connection.

Requests: the open tasks are one `GET /tasks?assigned-to=…&status=incomplete` per 250; the pages
and blog posts they are on, one `GET /pages?id=…` (and `/blogposts?id=…`) per 250 shown; Done is
one `GET /tasks/{id}` then one `PUT /tasks/{id}`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.confluence import BlogPost, ConfluenceClient, NotFound, Page, PermissionDenied, Task
from bot.confluence.models import storage_value
from bot.confluence.paging import MAX_LIMIT
from bot.convert import task_text
from bot.personal.ports import Me
from bot.personal.tasks import CONTAINER_KINDS, Container, ContainerRef, TaskItem

TEXT_CHARS = 150  # a task's line, in characters
NO_TEXT = "(a task without text)"


def task_item(task: Task) -> TaskItem:
    container: ContainerRef | None = None
    if task.page_id:
        container = ("page", task.page_id)
    elif task.blog_post_id:
        container = ("blogpost", task.blog_post_id)
    text = task_text(storage_value(task.body) or "", TEXT_CHARS).strip()
    return TaskItem(
        id=task.id,
        text=text or NO_TEXT,
        complete=task.status == "complete",
        due_at=task.due_at,
        container=container,
        completed_by=task.completed_by,
        completed_at=task.completed_at,
    )


def _url(item: Page | BlogPost) -> str | None:
    try:
        return item.web_url
    except ValueError:  # no webui link (or no site base for it): shown without a link
        return None


class ConfluenceTasks:
    def __init__(self, client: ConfluenceClient) -> None:
        self._client = client  # the root client; each call acts as the user's connection

    def _as(self, me: Me) -> ConfluenceClient:
        return self._client.using(me.connection_id)

    async def open_tasks(self, me: Me, at_most: int) -> tuple[list[TaskItem], bool]:
        listing = self._as(me).tasks.list(
            assigned_to=me.account_id, status="incomplete", body_format="storage", limit=MAX_LIMIT
        )
        found: list[TaskItem] = []
        async for page in listing.pages():
            found.extend(task_item(task) for task in page.items)
            if len(found) >= at_most:
                return found[:at_most], len(found) > at_most or page.next_link is not None
        return found, False

    async def containers(
        self, me: Me, refs: Collection[ContainerRef]
    ) -> dict[ContainerRef, Container]:
        client = self._as(me)
        found: dict[ContainerRef, Container] = {}
        for kind in CONTAINER_KINDS:
            ids = sorted({content_id for of, content_id in refs if of == kind})
            api = client.pages if kind == "page" else client.blogposts
            for start in range(0, len(ids), MAX_LIMIT):
                batch = ids[start : start + MAX_LIMIT]
                async for item in api.list(ids=batch, limit=MAX_LIMIT):
                    found[(kind, item.id)] = Container(kind, item.id, item.title, _url(item))
        return found

    async def task(self, me: Me, task_id: str) -> TaskItem | None:
        try:
            return task_item(await self._as(me).tasks.get(task_id, body_format="storage"))
        except NotFound:
            return None

    async def complete(self, me: Me, task_id: str) -> TaskItem | None:
        try:
            return task_item(await self._as(me).tasks.update(task_id, "complete"))
        except (NotFound, PermissionDenied):
            return None

    async def display_names(self, me: Me, account_ids: Sequence[str]) -> dict[str, str]:
        users = await self._as(me).users.bulk(list(account_ids))
        return {account_id: user.name for account_id, user in users.items()}
