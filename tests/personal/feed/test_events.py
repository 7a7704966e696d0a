"""What is news for a user in what Confluence answered (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.personal import Preferences
from bot.personal.feed import Hit, Ownership, Person, Ref, TaskHit, events_of
from bot.personal.feed.events import diff_url, needs_ownership

ME, BOB = "acc-me", "acc-bob"
T0 = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
SITE = "https://acme.atlassian.net/wiki"
ALL = Preferences()
BOB_P = Person(BOB, "Bob Roe")
MY_PAGE = Ref("10", "page", "My plan", f"{SITE}/spaces/ENG/pages/10")


def mention(account: str) -> str:
    return f'<ac:link><ri:user ri:account-id="{account}"/></ac:link>'


def page(
    id: str = "20",
    *,
    by: Person | None = BOB_P,
    storage: str = "<p>text</p>",
    version: int = 2,
    minor: bool = False,
) -> Hit:
    return Hit(id, "page", "Roadmap", f"{SITE}/x/{id}", by, version, minor, storage, T0, site=SITE)


def comment(
    id: str = "30",
    *,
    by: Person | None = BOB_P,
    on: Ref | None = MY_PAGE,
    parent: str | None = None,
    selection: str | None = None,
    storage: str = "<p>Looks good</p>",
) -> Hit:
    return Hit(
        id,
        "comment",
        "Re: My plan",
        f"{SITE}/x/10?focusedCommentId={id}",
        by,
        1,
        False,
        storage,
        T0,
        site=SITE,
        container=on,
        parent_comment=parent,
        selection=selection,
        text="Looks good",
    )


def test_a_mention_on_a_page_by_someone_else() -> None:
    hit = page(storage=f"<p>Hello. Can {mention(ME)} check this?</p>")
    (event,) = events_of([hit], [], ME, ALL, Ownership())
    assert (event.kind, event.action, event.who) == ("mentions", "mentioned", "Bob Roe")
    assert event.text == "Can @you check this?" and event.url == f"{SITE}/x/20"
    assert event.id.startswith("mention:20:")
    # The same sentence in a later version is the same news; a new sentence is new news.
    again = events_of(
        [page(version=3, storage=f"<p>Hi. Can {mention(ME)} check this?</p>")],
        [],
        ME,
        ALL,
        Ownership(),
    )
    assert again[0].id == event.id
    other = events_of(
        [page(storage=f"<p>{mention(ME)} please sign off.</p>")], [], ME, ALL, Ownership()
    )
    assert other[0].id != event.id


def test_own_actions_never_notify() -> None:
    mine = Person(ME, "Me")
    hits = [
        page(by=mine, storage=f"<p>{mention(ME)}</p>"),
        comment(by=mine),
        page("21", by=mine),
    ]
    tasks = [TaskHit("t1", "Do it", mine, T0, None, MY_PAGE)]
    assert events_of(hits, tasks, ME, ALL, Ownership(mine={"10"}, watched={"10", "21"})) == []


def test_comments_on_my_page_replies_to_mine_and_inline_selection() -> None:
    hits = [
        comment("31", selection="the proposal"),
        comment("32", on=Ref("11", "page", "Theirs", None), parent="99"),
        comment("33", on=Ref("12", "page", "Elsewhere", None)),
    ]
    found = events_of(hits, [], ME, ALL, Ownership(mine={"10", "99"}))
    assert [(e.id, e.kind, e.action) for e in found] == [
        ("comment:31", "comments", "commented"),
        ("comment:32", "comments", "replied"),
    ]
    assert found[0].selection == "the proposal" and found[0].text == "Looks good"
    assert found[0].title == "My plan"


def test_a_comment_mentioning_me_is_one_mention_not_two_items() -> None:
    hit = comment(storage=f"<p>Thoughts, {mention(ME)}?</p>")
    found = events_of([hit], [], ME, ALL, Ownership(mine={"10"}))
    assert [(e.id, e.kind) for e in found] == [("comment:30", "mentions")]
    # With mentions off it is still a comment on my page.
    only_comments = Preferences(mentions=False)
    found = events_of([hit], [], ME, only_comments, Ownership(mine={"10"}))
    assert [(e.id, e.kind) for e in found] == [("comment:30", "comments")]


def test_watched_pages_updated_not_minor_edits_with_a_diff_link() -> None:
    hits = [page("20", version=5), page("21", minor=True), page("22", version=1)]
    (event,) = events_of(hits, [], ME, ALL, Ownership())
    assert (event.id, event.kind, event.version) == ("update:20:5", "watching", 5)
    assert event.diff_url == (
        f"{SITE}/pages/diffpagesbyversion.action?pageId=20"
        "&selectedPageVersions=4&selectedPageVersions=5"
    )
    watched_comment = comment("40", on=Ref("20", "page", "Roadmap", None))
    found = events_of([watched_comment], [], ME, ALL, Ownership(watched={"20"}))
    assert [(e.kind, e.action) for e in found] == [("watching", "commented")]
    assert (
        events_of([watched_comment], [], ME, Preferences(watching=False), Ownership(watched={"20"}))
        == []
    )
    assert diff_url(None, "20", 5) is None and diff_url(SITE, "20", 1) is None


def test_a_mentioning_page_counts_as_watched_only_when_the_ownership_query_says_so() -> None:
    hit = page(storage=f"<p>{mention(ME)} see</p>", version=3)
    assert [e.kind for e in events_of([hit], [], ME, ALL, Ownership())] == ["mentions"]
    both = events_of([hit], [], ME, ALL, Ownership(watched={"20"}))
    assert sorted(e.kind for e in both) == ["mentions", "watching"]
    assert needs_ownership([hit, comment(parent="7"), page("23")], ME) == ["20", "10", "7"]


def test_tasks_assigned_and_due_today_and_kinds_switched_off() -> None:
    due = datetime(2024, 1, 10, tzinfo=UTC)
    tasks = [
        TaskHit("t1", "Review", BOB_P, T0, None, MY_PAGE),
        TaskHit("t2", "Ship", BOB_P, T0 - timedelta(days=3), due, None),
    ]
    found = events_of(
        tasks=tasks,
        hits=[],
        me=ME,
        preferences=ALL,
        ownership=Ownership(),
        since=T0 - timedelta(minutes=5),
        today=date(2024, 1, 10),
    )
    assert [(e.id, e.action) for e in found] == [
        ("due:t2:2024-01-10", "due"),
        ("task:t1", "assigned"),
    ]
    assert found[1].who == "Bob Roe" and found[1].title == "My plan"
    off = Preferences(tasks=False)
    assert events_of([], tasks, ME, off, Ownership(), today=date(2024, 1, 10)) == []
    hits = [page(storage=f"<p>{mention(ME)}</p>"), comment()]
    none = Preferences(mentions=False, comments=False, watching=False, tasks=False)
    assert events_of(hits, tasks, ME, none, Ownership(mine={"10"})) == []


def test_events_keep_through_their_json() -> None:
    (event,) = events_of([page(version=5)], [], ME, ALL, Ownership())
    from bot.personal.feed import FeedEvent

    assert FeedEvent.of_data(event.data()) == event
