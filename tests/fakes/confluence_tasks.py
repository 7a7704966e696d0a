"""Tasks as Confluence keeps them: read from ``<ac:task>`` elements of page and blog post bodies.

Each ``<ac:task>`` (``ac:task-id`` is its local id) is a task of its page: assigned to the first user
@mentioned in its body, due on the first ``<time datetime="yyyy-MM-dd"/>`` in it (midnight in the
site's default time zone: the fake's choice, Atlassian documents only the ``dueAt`` date-time), created
by whoever saved the version that added it. An edit that changes a task's status completes or
reopens it as the editor; a task whose ``<ac:task>`` disappears is gone. Completing a task over the
API (``PUT /tasks/{id}``) ticks its box in the body in place, without a new page version.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tests.fakes.confluence_records import JSON, Item, iso
from tests.fakes.confluence_storage import set_task_status, storage_tasks, storage_text

if TYPE_CHECKING:
    from tests.fakes.confluence_store import ConfluenceState


def sync_tasks(state: ConfluenceState, container: Item, by: str, when: datetime) -> None:
    """Bring the tasks of ``container`` in line with its current body (saved by ``by`` at ``when``)."""
    seen: set[str] = set()
    zone = ZoneInfo(state.default_time_zone)
    for found in storage_tasks(container.storage or ""):
        if not found.local_id or found.local_id in seen:
            continue
        seen.add(found.local_id)
        due = datetime.combine(found.due, time(0), zone) if found.due else None
        task_id = state._task_ids.get((container.id, found.local_id))
        task = state.items.get(task_id) if task_id else None
        if task is None:
            new_task(
                state,
                container,
                local_id=found.local_id,
                body=found.body,
                status=found.status,
                assignee=found.assignee,
                due_at=due,
                by=by,
                when=when,
            )
            continue
        data = task.data
        changed = (
            data["assignedTo"] != found.assignee
            or data["dueAt"] != (iso(due) if due else None)
            or task.storage != found.body
        )
        if changed:
            data.update(assignedTo=found.assignee, dueAt=iso(due) if due else None)
            state.set_body(task, found.body)
            data["updatedAt"] = iso(when)
        if data["status"] != found.status:
            _set_status(task, found.status, by, when)
    for (container_id, local_id), task_id in list(state._task_ids.items()):
        if container_id == container.id and local_id not in seen:
            del state._task_ids[(container_id, local_id)]
            state.items.pop(task_id, None)
            state.by_kind.get("task", {}).pop(task_id, None)


def new_task(
    state: ConfluenceState,
    container: Item,
    *,
    local_id: str | None,
    body: str,
    status: str,
    assignee: str | None,
    due_at: datetime | None,
    by: str,
    when: datetime,
) -> Item:
    if status not in ("complete", "incomplete"):
        raise ValueError(f"task status is complete or incomplete, not {status!r}")
    task_id = state.new_id()
    stamp = iso(when)
    data: JSON = {
        "id": task_id,
        "localId": local_id or task_id,
        "spaceId": container.data["spaceId"],
        "pageId": container.id if container.kind == "page" else None,
        "blogPostId": container.id if container.kind == "blogpost" else None,
        "status": status,
        "createdBy": by,
        "assignedTo": assignee,
        "completedBy": by if status == "complete" else None,
        "createdAt": stamp,
        "updatedAt": stamp,
        "dueAt": iso(due_at) if due_at else None,
        "completedAt": stamp if status == "complete" else None,
    }
    task = Item("task", data, space_key=container.space_key)
    state.set_body(task, body)
    state._store(task)
    if local_id is not None:
        state._task_ids[(container.id, local_id)] = task_id
    return task


def update_status(state: ConfluenceState, task: Item, status: str, by: str) -> JSON:
    """Complete or reopen ``task`` as ``by``; its box in the page body follows."""
    if status not in ("complete", "incomplete"):
        raise ValueError(f"task status is complete or incomplete, not {status!r}")
    if task.data["status"] == status:
        return task.data
    when = state.now()
    _set_status(task, status, by, when)
    container = state.container_of(task)
    local_id = str(task.data["localId"])
    if container is not None and state._task_ids.get((container.id, local_id)) == task.id:
        value = set_task_status(container.storage or "", local_id, status)
        container.data["body"]["storage"]["value"] = value
        container.text = storage_text(value)
        container.bodies[int(container.data["version"]["number"])] = value
        container._doc = None
    return task.data


def is_blank(task: Item) -> bool:
    """A task with nothing in it (``include-blank-tasks=false`` leaves these out)."""
    body = task.storage or ""
    return not task.text.strip() and "ri:user" not in body and "<time" not in body


def _set_status(task: Item, status: str, by: str, when: datetime) -> None:
    stamp = iso(when)
    task.data.update(status=status, updatedAt=stamp)
    if status == "complete":
        task.data.update(completedBy=by, completedAt=stamp)
    else:
        task.data.update(completedBy=None, completedAt=None)
