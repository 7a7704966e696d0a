"""`/confluence tasks` and its Done and paging buttons, end to end: signed requests, the Slack
fake, the Confluence fake with tasks written into page bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.slack import block_limits
from bot.slack.personal.tasks_view import (
    TASK_DONE_ACTION,
    TASKS_FIRST_ACTION,
    TASKS_NEXT_ACTION,
)
from tests.fakes.slack_fake import FakeSlack
from tests.personal.seed import Todo, page_with_tasks
from tests.slack.conftest import TEAM, USER, Harness
from tests.slack.harness_extra import dump
from tests.slack.identity_harness import DIRECT, harness_with
from tests.slack.personal_harness import (
    ADA,
    ADA_CONN,
    BOB,
    OTHER,
    answer,
    elements,
    linked,
    row_texts,
    rows,
)

__all__ = ["linked"]  # the fixture, used by name

TODAY = datetime.now(UTC).date()
TASKS = r"/api/v2/tasks$"


def _seed(h: Harness) -> dict[str, str]:
    """Ada's tasks (one overdue, one due today, one later, one without a date), Bob's, a done one."""
    todos = [
        Todo("Write the release notes", ADA, TODAY + timedelta(days=5)),
        Todo("Fix the <flaky> test & merge", ADA, TODAY - timedelta(days=3)),
        Todo("Bob's own", BOB, TODAY),
        Todo("Someday", ADA),
        Todo("Already done", ADA, TODAY, done=True),
    ]
    page, ids = page_with_tasks(h.confluence, "ENG", "Release 2.0", todos, author=BOB)
    other, (today,) = page_with_tasks(h.confluence, "ENG", "Standup", [Todo("Today", ADA, TODAY)])
    return {
        "page": page,
        "other": other,
        "later": ids[0],
        "overdue": ids[1],
        "bob": ids[2],
        "someday": ids[3],
        "today": today,
    }


async def test_tasks_are_listed_due_date_first_as_the_user(linked: Harness) -> None:
    h = linked
    ids = _seed(h)
    _, url = await h.command("tasks")
    shown = answer(h, url)
    assert shown["response_type"] == "ephemeral"
    assert [b["block_id"].rsplit(":", 1)[1] for b in rows(shown)] == [
        ids["overdue"],
        ids["today"],
        ids["later"],
        ids["someday"],
    ]
    overdue, today, later, someday = row_texts(shown)
    # The task's own words, as text (no storage markup, no assignee or date: shown apart).
    assert overdue.split("\n")[0] == "Fix the &lt;flaky&gt; test &amp; merge"
    assert "*overdue*" in overdue
    assert "*due today*" in today and "overdue" not in later and "due " in later
    assert "no due date" in someday
    page_url = f"{h.confluence.site_url}/wiki/spaces/ENG/pages/{ids['page']}/Release+2.0"
    assert f"<{page_url}|Release 2.0>" in overdue
    assert len(elements(shown, TASK_DONE_ACTION)) == 4 and not elements(shown, TASKS_NEXT_ACTION)
    assert "Tasks 1–4 of 4 open" in dump(shown)
    # Ada's own connection, one listing of her tasks and one bulk read of the pages' titles.
    wiki = [r for r in h.confluence.requests if "/wiki/" in r.path]
    assert {r.connection for r in wiki} == {ADA_CONN}
    assert [r.route for r in wiki] == ["GET /wiki/api/v2/tasks", "GET /wiki/api/v2/pages"]
    assert h.slack.calls_to("chat.postMessage") == []  # nothing public


async def test_done_completes_it_as_the_user_and_the_message_updates(linked: Harness) -> None:
    h = linked
    ids = _seed(h)
    _, url = await h.command("tasks")
    done = next(e for e in elements(answer(h, url), TASK_DONE_ACTION) if ids["later"] in e["value"])
    _, click = await h.action(TASK_DONE_ACTION, done["value"])
    task = h.confluence.items[ids["later"]].data
    assert (task["status"], task["completedBy"]) == ("complete", ADA)
    (put,) = h.confluence.requests_to("PUT", r"/api/v2/tasks/")
    assert put.connection == ADA_CONN and put.json() == {"status": "complete"}
    updated = answer(h, click)
    assert updated["replace_original"] is True
    texts = row_texts(updated)
    assert len(texts) == 4  # the completed one keeps its place...
    assert texts[2].startswith("~Write the release notes") and "Completed in Confluence" in texts[2]
    assert ids["later"] not in dump(elements(updated, TASK_DONE_ACTION))  # ...without Done
    assert "Tasks 1–3 of 3 open" in dump(updated)
    # The page body shows it ticked, as Confluence does.
    assert "<ac:task-status>complete</ac:task-status>" in (
        h.confluence.items[ids["page"]].storage or ""
    )


async def test_done_on_a_task_completed_elsewhere_says_so(linked: Harness) -> None:
    h = linked
    ids = _seed(h)
    _, url = await h.command("tasks")
    done = next(e for e in elements(answer(h, url), TASK_DONE_ACTION) if ids["today"] in e["value"])
    h.confluence.set_task_status(ids["today"], "complete", by=BOB)  # Bob ticks it in Confluence
    _, click = await h.action(TASK_DONE_ACTION, done["value"])
    updated = answer(h, click)
    text = dump(updated)
    assert "Already completed in Confluence by Bob Babbage" in text
    assert h.confluence.requests_to("PUT", r"/api/v2/tasks/") == []
    assert h.confluence.items[ids["today"]].data["completedBy"] == BOB
    # A second click on Ada's own Done (a double click) changes nothing and says it is done.
    later = next(e for e in elements(updated, TASK_DONE_ACTION) if ids["later"] in e["value"])
    await h.action(TASK_DONE_ACTION, later["value"])
    _, again = await h.action(TASK_DONE_ACTION, later["value"])
    assert "Already completed in Confluence (by you)" in dump(answer(h, again))
    assert len(h.confluence.requests_to("PUT", r"/api/v2/tasks/")) == 1


async def test_done_on_a_task_now_hidden_says_so_plainly(linked: Harness) -> None:
    h = linked
    ids = _seed(h)
    _, url = await h.command("tasks")
    done = next(e for e in elements(answer(h, url), TASK_DONE_ACTION) if ids["today"] in e["value"])
    h.confluence.restrict_content(ids["other"], [BOB])  # the Standup page is restricted meanwhile
    _, click = await h.action(TASK_DONE_ACTION, done["value"])
    updated = answer(h, click)
    assert "That task is gone" in dump(updated)
    assert len(rows(updated)) == 3
    assert h.confluence.requests_to("PUT", r"/api/v2/tasks/") == []


async def test_300_tasks_come_in_pages_within_slacks_limits(linked: Harness) -> None:
    h = linked
    made: list[str] = []
    for n in range(3):
        todos = [Todo(f"Task {n}-{i}", ADA, TODAY + timedelta(days=i % 40)) for i in range(100)]
        made += page_with_tasks(h.confluence, "ENG", f"Backlog {n}", todos)[1]
    h.confluence.reset_requests()
    _, url = await h.command("tasks")
    shown = answer(h, url)
    assert len(shown["blocks"]) <= block_limits.MESSAGE_BLOCKS and len(rows(shown)) == 20
    assert [r.route for r in h.confluence.requests if "/wiki/" in r.path] == [
        "GET /wiki/api/v2/tasks",
        "GET /wiki/api/v2/tasks",  # 250 a request
        "GET /wiki/api/v2/pages",  # the titles of the 20 shown, at once
    ]
    seen = [b["block_id"] for b in rows(shown)]
    while next_button := elements(shown, TASKS_NEXT_ACTION):
        assert all(
            len(e.get("value", "")) <= block_limits.BUTTON_VALUE
            for e in elements(shown, TASK_DONE_ACTION)
        )
        _, url = await h.action(TASKS_NEXT_ACTION, next_button[0]["value"])
        shown = answer(h, url)
        assert shown["replace_original"] is True and len(shown["blocks"]) <= 50
        seen += [b["block_id"] for b in rows(shown)]
    assert len(seen) == len(set(seen)) == 300
    assert "Tasks 281–300 of 300 open" in dump(shown)
    (first,) = elements(shown, TASKS_FIRST_ACTION)
    _, url = await h.action(TASKS_FIRST_ACTION, first["value"])
    assert [b["block_id"] for b in rows(answer(h, url))] == seen[:20]


async def test_a_forged_cursor_shows_the_first_page(linked: Harness) -> None:
    h = linked
    ids = _seed(h)
    _, url = await h.command("tasks")
    for forged in ("nonsense", "1.2.3", "9" * 40):
        _, url = await h.action(TASKS_NEXT_ACTION, forged)
        assert rows(answer(h, url))[0]["block_id"].endswith(ids["overdue"])
    _, url = await h.action(TASK_DONE_ACTION, "../1|x")  # not a task id: nothing happens
    assert h.answers(url) == [] and h.confluence.requests_to("PUT", r"/tasks/") == []


async def test_unlinked_users_are_offered_connect(linked: Harness) -> None:
    h = linked
    _seed(h)
    before = len(h.confluence.requests)
    _, url = await h.command("tasks", user_id=OTHER)
    assert "/confluence connect" in h.answer_text(url)
    await h.services.store.connections.put(
        team_id=TEAM, slack_user_id=OTHER, connection_id="conn-new", status="pending"
    )
    _, url = await h.command("tasks", user_id=OTHER)
    assert "isn't finished yet" in h.answer_text(url)
    assert h.confluence.requests[before:] == []  # never as the shared connection


async def test_a_connection_that_stopped_working_is_marked_stale(linked: Harness) -> None:
    h = linked
    _seed(h)
    h.confluence.expire_connection(ADA_CONN)
    _, url = await h.command("tasks")
    assert "Run `/confluence connect` to reconnect" in h.answer_text(url)
    link = await h.services.store.connections.get(TEAM, USER)
    assert link is not None and link.status == "stale"
    _, url = await h.command("tasks")
    assert "stopped working" in h.answer_text(url)


async def test_direct_mode_says_it_needs_per_user_identities(
    slack_server: tuple[FakeSlack, str], tmp_path: Path
) -> None:
    async with harness_with(slack_server, tmp_path, **DIRECT) as h:
        _, url = await h.command("tasks")
        assert "need per-user identities" in h.answer_text(url)
        _, url = await h.command("me off")
        assert "need per-user identities" in h.answer_text(url)
        assert h.confluence.requests == []
