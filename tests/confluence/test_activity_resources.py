"""Client methods the notification poller and the personal feed use, against the fake: tasks
(filters, completing one as a user), versions, search with expansions, comment lists, the caller's
and the site's time zones, and CQL dates written in the zone Confluence reads them in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.confluence import ConfluenceClient, cql_datetime, search_cql
from tests.confluence.conftest import SEARCH_EXPANSIONS, FakeClock, gateway_client
from tests.fakes.confluence_cql import make_doc, parse_cql
from tests.fakes.confluence_fake import FakeConfluence

T0 = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
ALICE, BOB = "u-alice", "u-bob"


def mention(account: str) -> str:
    return f'<ac:link><ri:user ri:account-id="{account}"/></ac:link>'


@pytest.fixture
def site(fake: FakeConfluence) -> FakeConfluence:
    fake.freeze_time(T0)
    fake.add_user(ALICE, "Alice Doe", time_zone="Europe/Berlin")
    fake.add_user(BOB, "Bob Roe")
    fake.add_connection("c-alice", account_id=ALICE)
    fake.add_connection("c-bob", account_id=BOB)
    fake.add_space("ENG", "Engineering")
    return fake


@pytest.fixture
async def as_alice(site: FakeConfluence, clock: FakeClock) -> ConfluenceClient:
    client = gateway_client(site, clock)
    return client.using("c-alice")


async def test_tasks_filtered_and_completed_as_the_user(
    site: FakeConfluence, as_alice: ConfluenceClient
) -> None:
    body = (
        "<ac:task-list>"
        "<ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status>"
        f'<ac:task-body>Review {mention(ALICE)} <time datetime="2024-01-12"/></ac:task-body>'
        "</ac:task>"
        "<ac:task><ac:task-id>2</ac:task-id><ac:task-status>incomplete</ac:task-status>"
        "<ac:task-body></ac:task-body></ac:task>"
        "</ac:task-list>"
    )
    page = site.add_page("ENG", "Release", body, author_id=BOB)["id"]
    due_soon = as_alice.tasks.list(
        assigned_to=ALICE,
        status="incomplete",
        due_at_from=datetime(2024, 1, 12, tzinfo=UTC),
        due_at_to=datetime(2024, 1, 12, 23, 59, tzinfo=UTC),
        body_format="storage",
    )
    (task,) = await due_soon.collect()
    assert (task.page_id, task.created_by, task.assigned_to) == (page, BOB, ALICE)
    assert task.due_at == datetime(2024, 1, 12, tzinfo=UTC)
    assert task.body is not None and task.body.storage is not None
    assert "Review" in task.body.storage.value
    assert len(await as_alice.tasks.list(page_id=page).collect()) == 2
    assert len(await as_alice.tasks.list(page_id=page, include_blank_tasks=False).collect()) == 1
    later = as_alice.tasks.list(page_id=page, created_at_from=T0 + timedelta(minutes=1))
    assert await later.collect() == []

    site.advance(minutes=3)
    done = await as_alice.tasks.update(task.id, "complete")
    assert (done.status, done.completed_by) == ("complete", ALICE)
    assert done.completed_at == done.updated_at == T0 + timedelta(minutes=3)
    again = await as_alice.tasks.update(task.id, "complete")  # completed meanwhile: no error
    assert again.completed_at == done.completed_at
    assert site.count("PUT /wiki/api/v2/tasks/{id}", connection="c-alice") == 2
    with pytest.raises(ValueError, match="timezone-aware"):
        as_alice.tasks.list(due_at_from=datetime(2024, 1, 1))


async def test_versions_say_who_what_and_whether_minor(
    site: FakeConfluence, as_alice: ConfluenceClient
) -> None:
    page = site.add_page("ENG", "Doc", author_id=BOB)["id"]
    site.advance(minutes=1)
    site.edit(page, "<p>2</p>", by=ALICE, message="numbers")
    site.edit(page, "<p>3</p>", by=BOB, minor_edit=True)
    versions = await as_alice.pages.versions(page).collect()
    assert [(v.number, v.author_id, v.minor_edit, v.message) for v in versions] == [
        (3, BOB, True, ""),
        (2, ALICE, False, "numbers"),
        (1, BOB, False, ""),
    ]
    assert versions[0].created_at == T0 + timedelta(minutes=1)


async def test_search_with_expansions(site: FakeConfluence, as_alice: ConfluenceClient) -> None:
    root = site.add_page("ENG", "Root", author_id=BOB)["id"]
    page = site.add_page("ENG", "Ask", f"<p>{mention(ALICE)} ?</p>", parent_id=root, author_id=BOB)
    site.add_label(page["id"], "question")
    cql = "mention = currentUser() and type in (page, blogpost, comment)"
    (hit,) = await as_alice.search.cql(cql, expand=SEARCH_EXPANSIONS).collect()
    content = hit.content
    assert content is not None and content.id == page["id"]
    assert content.version is not None and content.version.number == 1
    assert content.version.by is not None and content.version.by.name == "Bob Roe"
    assert content.history is not None and content.history.created_date == T0
    assert content.history.created_by is not None
    assert content.history.created_by.account_id == BOB
    assert [a.id for a in content.ancestors or []] == [root]
    assert content.space is not None and content.space.key == "ENG"
    assert content.label_names == ["question"]
    assert content.storage is not None and ALICE in content.storage
    assert hit.web_url.startswith("https://acme.atlassian.net/wiki/spaces/ENG/pages/")
    one_page = await as_alice.search.page(cql, limit=5, expand=["content.version"])
    assert one_page.items[0].content is not None
    assert one_page.items[0].content.version is not None


async def test_comment_lists_and_inline_selection(
    site: FakeConfluence, as_alice: ConfluenceClient
) -> None:
    blog = site.add_blogpost("ENG", "News", "<p>we shipped the thing</p>", author_id=ALICE)["id"]
    inline = site.add_inline_comment(blog, "<p>which?</p>", selection="the thing", author_id=BOB)
    reply = site.add_inline_comment(body="<p>that</p>", parent_comment_id=inline["id"])
    site.advance(minutes=1)
    newer = site.add_footer_comment(blogpost_id=blog, author_id=BOB)["id"]
    older = site.add_footer_comment(blogpost_id=blog, author_id=BOB)
    (listed,) = await as_alice.blogposts.inline_comments(blog, body_format="storage").collect()
    assert listed.selection == "the thing" and listed.blog_post_id == blog
    got = await as_alice.inline_comments.get(reply["id"])
    assert got.parent_comment_id == inline["id"] and got.selection == "the thing"
    kids = await as_alice.inline_comments.children(inline["id"]).collect()
    assert [k.id for k in kids] == [reply["id"]]
    assert [c.id for c in await as_alice.inline_comments.list(sort="-created-date").collect()] == [
        reply["id"],
        inline["id"],
    ]
    newest = await as_alice.footer_comments.list(sort="-created-date").collect()
    assert [c.id for c in newest] == [older["id"], newer]


async def test_time_zones_of_the_caller_and_the_site(
    site: FakeConfluence, as_alice: ConfluenceClient, clock: FakeClock
) -> None:
    me = await as_alice.users.current()
    assert (me.account_id, me.time_zone) == (ALICE, "Europe/Berlin")
    info = await as_alice.settings.system_info()
    assert (info.default_time_zone, info.cloud_id) == ("UTC", site.cloud_id)
    # A poller writes its window in the caller's zone, and finds what changed since.
    page = site.add_page("ENG", "Now", author_id=BOB)["id"]
    since = T0 - timedelta(seconds=30)
    cql = search_cql(None, types=["page"], modified_since=since, time_zone=me.time_zone or "UTC")
    assert 'lastmodified >= "2024-01-10 09:59"' in cql
    assert [r.content.id for r in await as_alice.search.cql(cql).collect() if r.content] == [page]
    as_bob = gateway_client(site, clock).using("c-bob")
    assert await as_bob.search.cql(cql).collect() == []  # read in UTC, 09:59 is still to come


@given(
    st.datetimes(
        min_value=datetime(2001, 1, 1),
        max_value=datetime(2037, 12, 31),
        timezones=st.just(UTC),
    ),
    st.sampled_from(
        ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
    ),
)
def test_cql_datetime_names_the_minute_confluence_reads(when: datetime, zone: str) -> None:
    local = when.astimezone(ZoneInfo(zone))
    # The hour that repeats when summer time ends is ambiguous in any literal: not asked here.
    assume(local.replace(fold=1 - local.fold).utcoffset() == local.utcoffset())
    doc = make_doc(
        id="1", type="page", space_key="ENG", title="t", text="", created=when, modified=when
    )
    literal = cql_datetime(when, zone)
    at_or_after = parse_cql(f"lastmodified >= {literal}", zone=ZoneInfo(zone), now=when)
    after = parse_cql(f"lastmodified > {literal}", zone=ZoneInfo(zone), now=when)
    assert at_or_after.matches(doc)
    assert not after.matches(doc)
