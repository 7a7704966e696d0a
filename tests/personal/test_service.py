"""The personal use cases on recording fakes: tasks as the user, Done, preferences, forget."""

from __future__ import annotations

import pytest

from bot.personal import NotLinked, PersonalService, Preferences
from bot.personal.tasks import MAX_OPEN

from .fakes import NOW, FakeIdentities, FakePreferences, FakeTasks, ManualClock

ADA, BOB = "557058:ada", "557058:bob"


@pytest.fixture
def identities() -> FakeIdentities:
    found = FakeIdentities()
    found.link("UADA", ADA)
    found.refusals["UNEW"] = "not_connected"
    found.refusals["USTALE"] = "stale"
    return found


@pytest.fixture
def tasks() -> FakeTasks:
    source = FakeTasks(names={BOB: "Bob Babbage"})
    runbook = source.add_page("11", "Runbook")
    notes = source.add_page("12", "Notes")
    source.add("1", ADA, due_in_days=3, page=runbook)
    source.add("2", ADA, due_in_days=None, page=notes)
    source.add("3", ADA, due_in_days=-2, page=runbook)  # overdue
    source.add("4", BOB, due_in_days=0, page=notes)  # someone else's
    return source


@pytest.fixture
def prefs() -> FakePreferences:
    return FakePreferences()


@pytest.fixture
def service(
    identities: FakeIdentities, tasks: FakeTasks, prefs: FakePreferences
) -> PersonalService:
    return PersonalService(
        identities=identities, tasks=tasks, preferences=prefs, clock=ManualClock()
    )


async def test_open_tasks_are_the_users_own_due_date_first(
    service: PersonalService, tasks: FakeTasks
) -> None:
    page = await service.open_tasks("T1", "UADA")
    assert [r.task.id for r in page.rows] == ["3", "1", "2"]
    assert [r.container.title if r.container else None for r in page.rows] == [
        "Runbook",
        "Runbook",
        "Notes",
    ]
    assert (page.first, page.total, page.next_after, page.capped, page.now) == (
        1,
        3,
        None,
        False,
        NOW,
    )
    # As Ada's own connection, and the pages read in one bulk call.
    assert {conn for _, conn, _ in tasks.calls} == {"conn-UADA"}
    assert tasks.calls_to("containers") == [("containers", "conn-UADA", ("11", "12"))]


async def test_300_tasks_come_in_pages_with_titles_for_the_shown_ones_only(
    service: PersonalService, tasks: FakeTasks
) -> None:
    for n in range(100, 400):
        tasks.add(str(n), ADA, due_in_days=n % 9, page=tasks.add_page(str(n + 1000), f"P{n}"))
    page = await service.open_tasks("T1", "UADA", size=20)
    assert len(page.rows) == 20 and page.total == 303 and page.next_after is not None
    assert len(tasks.calls_to("containers")[-1][2]) <= 20
    seen = [r.task.id for r in page.rows]
    while page.next_after is not None:
        page = await service.open_tasks("T1", "UADA", after=page.next_after, size=20)
        seen += [r.task.id for r in page.rows]
    assert len(seen) == len(set(seen)) == 303


async def test_more_than_max_open_is_said(service: PersonalService, tasks: FakeTasks) -> None:
    for n in range(MAX_OPEN):
        tasks.add(f"9{n}", ADA)
    assert (await service.open_tasks("T1", "UADA")).capped


async def test_done_completes_as_the_user_and_keeps_the_row_in_place(
    service: PersonalService, tasks: FakeTasks
) -> None:
    settled = await service.complete("T1", "UADA", "1")
    assert settled.outcome == "completed" and settled.row is not None
    assert settled.row.task.complete and settled.row.task.completed_by == ADA
    assert settled.row.task.text == "task 1" and settled.row.container is not None
    assert tasks.calls_to("complete") == [("complete", "conn-UADA", ("1",))]
    page = await service.open_tasks("T1", "UADA", settled=settled)
    assert [(r.task.id, r.task.complete) for r in page.rows] == [
        ("3", False),
        ("1", True),
        ("2", False),
    ]
    assert page.total == 2 and page.settled is settled


async def test_done_twice_completes_once(service: PersonalService, tasks: FakeTasks) -> None:
    await service.complete("T1", "UADA", "1")
    again = await service.complete("T1", "UADA", "1")
    assert again.outcome == "already_complete" and again.by is None  # by Ada herself
    assert len(tasks.calls_to("complete")) == 1


async def test_completed_elsewhere_is_said_with_who(
    service: PersonalService, tasks: FakeTasks
) -> None:
    tasks.complete_elsewhere("1", BOB)
    settled = await service.complete("T1", "UADA", "1")
    assert (settled.outcome, settled.by) == ("already_complete", "Bob Babbage")
    assert settled.row is not None and settled.row.task.complete
    assert tasks.calls_to("complete") == []


async def test_gone_and_refused(service: PersonalService, tasks: FakeTasks) -> None:
    gone = await service.complete("T1", "UADA", "404")
    assert (gone.outcome, gone.row) == ("gone", None)
    tasks.refused.add("2")
    refused = await service.complete("T1", "UADA", "2")
    assert refused.outcome == "refused" and refused.row is not None
    assert not refused.row.task.complete
    page = await service.open_tasks("T1", "UADA", settled=gone)
    assert [r.task.id for r in page.rows] == ["3", "1", "2"]
    page = await service.open_tasks("T1", "UADA", settled=refused)
    assert [r.task.id for r in page.rows] == ["3", "1", "2"] and page.total == 3  # still open


@pytest.mark.parametrize(("user", "reason"), [("UNEW", "not_connected"), ("USTALE", "stale")])
async def test_unlinked_users_reach_nothing(
    service: PersonalService, tasks: FakeTasks, prefs: FakePreferences, user: str, reason: str
) -> None:
    for call in (
        service.open_tasks("T1", user),
        service.complete("T1", user, "1"),
        service.preferences("T1", user),
        service.switch("T1", user, ["tasks"], False),
        service.choose("T1", user, []),
    ):
        with pytest.raises(NotLinked) as caught:
            await call
        assert caught.value.reason == reason
    assert tasks.calls == [] and prefs.rows == {}


async def test_preferences_all_on_then_switched_chosen_and_forgotten(
    service: PersonalService, prefs: FakePreferences, identities: FakeIdentities
) -> None:
    assert await service.preferences("T1", "UADA") == Preferences()
    assert prefs.rows == {}  # nothing stored for a default
    off = await service.switch("T1", "UADA", ["comments", "watching"], False)
    assert off.enabled == ("mentions", "tasks")
    assert (await service.switch("T1", "UADA", ["watching"], True)).enabled == (
        "mentions",
        "watching",
        "tasks",
    )
    assert (await service.choose("T1", "UADA", ["tasks"])).enabled == ("tasks",)
    assert await service.preferences("T1", "UADA") == Preferences.only(["tasks"])
    del identities.linked["UADA"]  # disconnected first: forgetting needs no identity
    await service.forget("T1", "UADA")
    assert prefs.rows == {}
    identities.link("UADA", ADA)
    assert await service.preferences("T1", "UADA") == Preferences()  # all on again
