"""Pages with tasks in them, as Confluence's editor writes them (`<ac:task>` with a mention of the
assignee and a `<time>` for the due date); the fake turns each into a task of its page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from tests.fakes.confluence_fake import FakeConfluence


def mention(account_id: str) -> str:
    return f'<ac:link><ri:user ri:account-id="{escape(account_id)}"/></ac:link>'


@dataclass(frozen=True)
class Todo:
    text: str
    assignee: str | None = None
    due: date | None = None
    done: bool = False


def task_list(todos: list[Todo], first_local_id: int = 1) -> str:
    items = []
    for n, todo in enumerate(todos, start=first_local_id):
        body = escape(todo.text)
        if todo.assignee:
            body += " " + mention(todo.assignee)
        if todo.due:
            body += f' <time datetime="{todo.due.isoformat()}"/>'
        status = "complete" if todo.done else "incomplete"
        items.append(
            f"<ac:task><ac:task-id>{n}</ac:task-id><ac:task-status>{status}</ac:task-status>"
            f"<ac:task-body>{body}</ac:task-body></ac:task>"
        )
    return f"<ac:task-list>{''.join(items)}</ac:task-list>"


def page_with_tasks(
    site: FakeConfluence, space: str, title: str, todos: list[Todo], *, author: str | None = None
) -> tuple[str, list[str]]:
    """The page's id, and its tasks' ids in the order written."""
    page = site.add_page(space, title, f"<p>Tasks</p>{task_list(todos)}", author_id=author)
    tasks = [t for t in site.by_kind.get("task", {}).values() if t.data["pageId"] == page["id"]]
    return page["id"], [t.id for t in sorted(tasks, key=lambda t: int(t.data["localId"]))]
