"""The task source against the Confluence fake: as the user's own connection, few requests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime

import pytest

from bot.confluence import ConfluenceClient
from bot.personal import Me
from bot.personal.confluence import NO_TEXT, ConfluenceTasks
from tests.confluence import openapi
from tests.confluence.conftest import FakeClock, gateway_client
from tests.fakes.confluence_fake import FakeConfluence

from .seed import Todo, page_with_tasks

ADA, BOB = "557058:ada", "557058:bob"
ME = Me("T1", "UADA", ADA, "conn-ada")
NOW = datetime(2024, 12, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def site() -> Iterator[FakeConfluence]:
    fake = FakeConfluence()
    fake.freeze_time(NOW)
    fake.add_user(ADA, "Ada Lovelace")
    fake.add_user(BOB, "Bob Babbage")
    fake.add_connection("conn-ada", account_id=ADA)
    fake.add_connection("conn-bob", account_id=BOB)
    fake.add_space("ENG", "Engineering")
    yield fake
    if openapi.available():
        assert openapi.mismatches(fake.requests) == []


@pytest.fixture
async def source(site: FakeConfluence) -> AsyncIterator[ConfluenceTasks]:
    client: ConfluenceClient = gateway_client(site, FakeClock())
    yield ConfluenceTasks(client)
    await client.aclose()


async def test_open_tasks_assigned_to_me_with_plain_text(
    site: FakeConfluence, source: ConfluenceTasks
) -> None:
    todos = [
        Todo("Review <b>the</b> draft & sign", ADA, date(2024, 12, 1)),
        Todo("Bob's", BOB),
        Todo("Done already", ADA, done=True),
        Todo("", ADA),
    ]
    page, ids = page_with_tasks(site, "ENG", "Release", todos, author=BOB)
    found, more = await source.open_tasks(ME, 100)
    assert not more
    assert [t.id for t in found] == [ids[0], ids[3]]
    first = found[0]
    assert "ac:" not in first.text and "ri:" not in first.text
    assert first.due_at == datetime(2024, 12, 1, tzinfo=UTC)
    assert first.container == ("page", page) and not first.complete
    assert found[1].text == NO_TEXT  # nothing but its assignee
    assert first.text == "Review <b>the</b> draft & sign"  # without assignee and date
    (listing,) = site.requests_to("GET", r"/api/v2/tasks$")
    assert listing.connection == "conn-ada"
    assert listing.query["assigned-to"] == [ADA] and listing.query["status"] == ["incomplete"]


async def test_at_most_n_open_tasks_and_whether_there_are_more(
    site: FakeConfluence, source: ConfluenceTasks
) -> None:
    page_with_tasks(site, "ENG", "Many", [Todo(f"t{n}", ADA) for n in range(260)])
    found, more = await source.open_tasks(ME, 250)
    assert len(found) == 250 and more
    assert len(site.requests_to("GET", r"/api/v2/tasks$")) == 1
    found, more = await source.open_tasks(ME, 1000)
    assert len(found) == 260 and not more


async def test_containers_in_bulk_hidden_ones_absent(
    site: FakeConfluence, source: ConfluenceTasks
) -> None:
    pages = [site.add_page("ENG", f"P{n}")["id"] for n in range(300)]
    secret = site.add_page("ENG", "Secret")["id"]
    site.restrict_content(secret, [BOB])
    blog = site.add_blogpost("ENG", "News")["id"]
    refs = {("page", p) for p in [*pages, secret]} | {("blogpost", blog)}
    found = await source.containers(ME, refs)
    assert len(found) == 301 and ("page", secret) not in found
    assert found[("blogpost", blog)].title == "News"
    assert found[("page", pages[0])].url == f"{site.site_url}/wiki/spaces/ENG/pages/{pages[0]}/P0"
    assert len(site.requests_to("GET", r"/api/v2/pages$")) == 2  # 301 ids: two requests
    assert len(site.requests_to("GET", r"/api/v2/blogposts$")) == 1


async def test_one_task_complete_and_refusals(
    site: FakeConfluence, source: ConfluenceTasks
) -> None:
    _, (mine, hidden) = page_with_tasks(site, "ENG", "Doc", [Todo("mine", ADA), Todo("x", ADA)])
    secret, _ = page_with_tasks(site, "ENG", "Secret", [Todo("s", ADA)])
    site.restrict_content(secret, [BOB])
    (secret_task,) = [t.id for t in site.by_kind["task"].values() if t.data["pageId"] == secret]
    got = await source.task(ME, mine)
    assert got is not None and got.text.startswith("mine") and not got.complete
    assert await source.task(ME, secret_task) is None
    done = await source.complete(ME, mine)
    assert done is not None and done.complete and done.completed_by == ADA
    assert site.items[mine].data["status"] == "complete"
    assert await source.complete(ME, secret_task) is None
    assert await source.complete(ME, "987654") is None
    assert site.count("PUT /wiki/api/v2/tasks/{id}", connection="conn-ada") == 3
    assert hidden  # untouched
    assert await source.display_names(ME, [BOB]) == {BOB: "Bob Babbage"}
