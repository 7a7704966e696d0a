"""App Home's "Your tasks" and notification checkboxes, `/confluence me`, and disconnecting,
end to end (signed requests, the Slack and Confluence fakes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.slack import block_limits
from bot.slack.identity_view import DISCONNECT_ACTION
from bot.slack.personal.preferences_view import PREFERENCES_ACTION
from bot.slack.personal.tasks_view import TASK_DONE_ACTION, TASKS_FIRST_ACTION, TASKS_NEXT_ACTION
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
    elements,
    home_action,
    home_view,
    link_ada,
    linked,
    open_home,
    row_texts,
    rows,
)

__all__ = ["linked"]  # the fixture, used by name

TODAY = datetime.now(UTC).date()


def _ticked(view: dict[str, object]) -> list[str]:
    (boxes,) = elements(view, PREFERENCES_ACTION)  # type: ignore[arg-type]
    return [o["value"] for o in boxes.get("initial_options", [])]


async def test_home_shows_the_first_tasks_and_pages_in_place(linked: Harness) -> None:
    h = linked
    todos = [Todo(f"Task {i}", ADA, TODAY + timedelta(days=i)) for i in range(25)]
    _, ids = page_with_tasks(h.confluence, "ENG", "Backlog", todos)
    view = await open_home(h)
    text = dump(view)
    assert "Your tasks" in text and "Your Confluence account" in text
    assert len(view["blocks"]) <= block_limits.VIEW_BLOCKS
    assert [b["block_id"] for b in rows(view)] == [f"ptasks:t:{i}" for i in ids[:10]]
    assert "Tasks 1–10 of 25 open" in text
    (more,) = elements(view, TASKS_NEXT_ACTION)

    await home_action(h, TASKS_NEXT_ACTION, value=more["value"])
    paged = home_view(h)
    assert [b["block_id"] for b in rows(paged)] == [f"ptasks:t:{i}" for i in ids[10:20]]
    assert h.slack.calls_to("views.update")  # the open tab, updated in place...
    assert "Your Confluence account" in dump(paged)  # ...the other sections kept as they were
    assert "Tasks 11–20 of 25 open" in dump(paged)
    (first,) = elements(paged, TASKS_FIRST_ACTION)
    await home_action(h, TASKS_FIRST_ACTION, value=first["value"])
    assert [b["block_id"] for b in rows(home_view(h))] == [f"ptasks:t:{i}" for i in ids[:10]]


async def test_done_on_home_completes_it_as_the_user_and_updates_the_row(linked: Harness) -> None:
    h = linked
    _, (one, two) = page_with_tasks(
        h.confluence, "ENG", "Doc", [Todo("One", ADA, TODAY), Todo("Two", ADA)]
    )
    view = await open_home(h)
    done = next(e for e in elements(view, TASK_DONE_ACTION) if e["value"].startswith(one))
    await home_action(h, TASK_DONE_ACTION, value=done["value"])
    task = h.confluence.items[one].data
    assert (task["status"], task["completedBy"]) == ("complete", ADA)
    assert h.confluence.requests_to("PUT", r"/api/v2/tasks/")[0].connection == ADA_CONN
    after = home_view(h)
    first, second = row_texts(after)
    assert first.startswith("~One~") and "Completed in Confluence" in first
    assert second.startswith("Two") and len(elements(after, TASK_DONE_ACTION)) == 1

    # Completed elsewhere before the click on the second one: said so, in its row.
    h.confluence.set_task_status(two, "complete", by=BOB)
    (done,) = elements(after, TASK_DONE_ACTION)
    await home_action(h, TASK_DONE_ACTION, value=done["value"])
    assert "Already completed in Confluence by Bob Babbage" in row_texts(home_view(h))[1]
    assert len(h.confluence.requests_to("PUT", r"/api/v2/tasks/")) == 1


async def test_a_click_on_a_tab_shown_before_a_republish_gets_a_fresh_tab(linked: Harness) -> None:
    h = linked
    _, (one,) = page_with_tasks(h.confluence, "ENG", "Doc", [Todo("One", ADA)])
    view = await open_home(h)
    await open_home(h)  # the tab was published again meanwhile: the old hash is stale
    h.slack.home_views[USER] = view
    (done,) = elements(view, TASK_DONE_ACTION)
    await home_action(h, TASK_DONE_ACTION, value=done["value"])
    assert h.confluence.items[one].data["status"] == "complete"
    assert "You have no open tasks" in dump(home_view(h))


async def test_home_checkboxes_choose_the_notifications(linked: Harness) -> None:
    h = linked
    view = await open_home(h)
    assert _ticked(view) == ["mentions", "comments", "watching", "tasks"]  # all on once linked
    assert "I send these to you by DM as they happen" in dump(view)
    await home_action(h, PREFERENCES_ACTION, selected=["mentions", "tasks"])
    stored = await h.services.store.preferences.get(TEAM, USER)
    assert stored is not None
    assert (stored.mentions, stored.comments, stored.watching, stored.tasks) == (
        True,
        False,
        False,
        True,
    )
    await home_action(h, PREFERENCES_ACTION, selected=["mentions", "tasks"])  # same again
    assert _ticked(await open_home(h)) == ["mentions", "tasks"]
    _, url = await h.command("me")
    assert "comments :no_bell: off" in h.answer_text(url)


async def test_unlinked_and_direct_mode_homes_say_why(
    linked: Harness, slack_server: tuple[FakeSlack, str], tmp_path: Path
) -> None:
    view = await open_home(linked, user=OTHER)
    assert "connect your Atlassian account" in dump(view)
    assert not elements(view, PREFERENCES_ACTION) and not rows(view)
    (tmp_path / "direct").mkdir()
    async with harness_with(slack_server, tmp_path / "direct", **DIRECT) as h:
        assert "need per-user identities" in dump(await open_home(h))


async def test_me_on_off_is_kept(linked: Harness) -> None:
    h = linked
    _, url = await h.command("me")
    assert "mentions :white_check_mark: on" in h.answer_text(url)
    assert "I send these to you by DM" in h.answer_text(url)
    _, url = await h.command("me off comments watching")
    assert "Turned off: comments, watching" in h.answer_text(url)
    stored = await h.services.store.preferences.get(TEAM, USER)
    assert stored is not None and (stored.comments, stored.watching, stored.mentions) == (
        False,
        False,
        True,
    )
    _, url = await h.command("me on")
    assert "Turned on: all of them" in h.answer_text(url)
    stored = await h.services.store.preferences.get(TEAM, USER)
    assert stored is not None and stored.comments and stored.watching
    _, url = await h.command("me maybe")
    assert "`on` or `off`" in h.answer_text(url)
    _, url = await h.command("me off", user_id=OTHER)
    assert "/confluence connect" in h.answer_text(url)
    assert await h.services.store.preferences.get(TEAM, OTHER) is None


async def test_disconnect_deletes_the_personal_state(linked: Harness) -> None:
    h = linked
    await h.command("me off mentions")
    assert await h.services.store.preferences.get(TEAM, USER) is not None
    _, url = await h.command("disconnect")
    assert "personal notification choices" in h.answer_text(url)
    assert await h.services.store.preferences.get(TEAM, USER) is None
    _, url = await h.command("tasks")
    assert "/confluence connect" in h.answer_text(url)

    # From App Home's Disconnect button too.
    h.confluence.add_connection(ADA_CONN, account_id=ADA)  # deleted at Maton by the disconnect
    await link_ada(h)
    await h.command("me off tasks")
    await open_home(h)
    await home_action(h, DISCONNECT_ACTION, value="disconnect")
    assert await h.services.store.preferences.get(TEAM, USER) is None
    assert "connect your Atlassian account" in dump(home_view(h))


async def test_a_replayed_done_acts_once(linked: Harness) -> None:
    h = linked
    _, (one,) = page_with_tasks(h.confluence, "ENG", "Doc", [Todo("One", ADA)])
    view = await open_home(h)
    (done,) = elements(view, TASK_DONE_ACTION)
    for _ in range(2):  # the same signed request twice (same trigger_id)
        await home_action(h, TASK_DONE_ACTION, value=done["value"], trigger_id="111.222.fff")
    assert len(h.confluence.requests_to("GET", rf"/api/v2/tasks/{one}$")) == 1
    assert len(h.confluence.requests_to("PUT", rf"/api/v2/tasks/{one}$")) == 1
