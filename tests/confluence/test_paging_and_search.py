"""Cursor paging across many pages (body link and Link header), and CQL search."""

from __future__ import annotations

import asyncio
import gc

import httpx
import pytest
from pydantic import SecretStr

from bot.confluence import (
    ConfluenceClient,
    DirectAuth,
    NotFound,
    search_cql,
    strip_highlights,
)
from bot.confluence.cql import convert_highlights
from tests.confluence.conftest import FakeClock
from tests.fakes.confluence_fake import FakeConfluence


@pytest.fixture
def many(fake: FakeConfluence) -> str:
    space = fake.add_space("BIG", "Big space")
    for i in range(23):
        fake.add_page("BIG", f"Page {i:02d}", f"<p>body {i}</p>")
    return str(space["id"])


async def test_iterates_every_page_to_the_end(
    client: ConfluenceClient, fake: FakeConfluence, many: str
) -> None:
    titles = [p.title async for p in client.pages.list(space_id=many, limit=5, sort="title")]
    assert titles == [f"Page {i:02d}" for i in range(23)]
    assert len(fake.requests_to("GET", r"/wiki/api/v2/pages$")) == 5  # 5+5+5+5+3


async def test_one_page_at_a_time_with_cursor(client: ConfluenceClient, many: str) -> None:
    pager = client.pages.list(space_id=many, limit=10, sort="title")
    first = await pager.page()
    assert len(first.items) == 10 and first.cursor
    second = await pager.page(first.cursor)
    assert second.items[0].title == "Page 10"
    third = await pager.page(link=second.next_link)
    assert [p.title for p in third.items] == ["Page 20", "Page 21", "Page 22"]
    assert third.next_link is None and third.cursor is None


async def test_follows_link_header_when_body_has_no_next(
    client: ConfluenceClient, fake: FakeConfluence, many: str
) -> None:
    import httpx

    from bot.confluence.paging import next_link

    response = httpx.Response(
        200, headers={"Link": '</wiki/api/v2/pages?cursor=abc&limit=5>; rel="next"'}
    )
    assert (
        next_link({"results": [], "_links": {}}, response)
        == "/wiki/api/v2/pages?cursor=abc&limit=5"
    )
    absolute = httpx.Response(200)
    body = {"_links": {"next": "https://acme.atlassian.net/wiki/api/v2/pages?cursor=z"}}
    assert next_link(body, absolute) == "/wiki/api/v2/pages?cursor=z"
    v1 = {"_links": {"next": "/rest/api/search?cursor=q&limit=5"}}
    assert next_link(v1, absolute) == "/wiki/rest/api/search?cursor=q&limit=5"


async def test_limit_is_checked_before_any_request(
    client: ConfluenceClient, fake: FakeConfluence
) -> None:
    for bad in (0, 251):
        with pytest.raises(ValueError, match="between 1 and 250"):
            client.pages.list(limit=bad)
        with pytest.raises(ValueError, match="between 1 and 250"):
            client.search.cql("type = page", limit=bad)
    assert fake.requests == []


async def test_search_with_paging_and_excerpts(
    client: ConfluenceClient, fake: FakeConfluence
) -> None:
    fake.add_space("ENG", "Engineering")
    fake.add_space("OPS", "Operations")
    for i in range(7):
        fake.add_page("ENG", f"Kubernetes guide {i}", "<p>All about kubernetes clusters</p>")
    fake.add_page("OPS", "Kubernetes on call", "<p>kubernetes pager duty</p>")
    fake.add_blogpost("ENG", "Kubernetes news", "<p>kubernetes 2.0</p>")
    cql = search_cql("kubernetes", space_keys=["ENG"], types=["page"])
    results = await client.search.cql(cql, limit=3).collect()
    assert len(results) == 7
    assert all(r.content_type == "page" and r.space_name == "Engineering" for r in results)
    assert all(
        r.web_url.startswith("https://acme.atlassian.net/wiki/spaces/ENG/pages/") for r in results
    )
    assert any("@@@hl@@@" in r.excerpt for r in results)
    clean = strip_highlights(results[0].excerpt)
    assert "@@@" not in clean and "kubernetes" in clean.lower()
    assert "*" in convert_highlights(results[0].excerpt, lambda s: f"*{s}*")
    first = await client.search.page(search_cql("kubernetes"), limit=4)
    assert len(first.items) == 4 and first.cursor
    second = await client.search.page(search_cql("kubernetes"), limit=4, cursor=first.cursor)
    assert {r.content.id for r in first.items if r.content}.isdisjoint(
        {r.content.id for r in second.items if r.content}
    )
    blogs = await client.search.cql(search_cql("kubernetes", types=["blogpost"])).collect()
    assert [b.title for b in blogs] == ["Kubernetes news"] or [
        strip_highlights(b.title) for b in blogs
    ] == ["Kubernetes news"]


async def settle() -> None:
    """Give the loop turns (no time passes): a request started ahead gets answered meanwhile."""
    for _ in range(200):
        await asyncio.sleep(0)


async def test_a_walk_asks_for_the_next_page_while_handing_out_this_one(
    client: ConfluenceClient, fake: FakeConfluence, many: str
) -> None:
    asked: list[int] = []
    titles: list[str] = []
    async for page in client.pages.list(space_id=many, limit=5, sort="title").pages():
        await settle()
        asked.append(len(fake.requests_to("GET", r"/wiki/api/v2/pages$")))
        titles += [p.title for p in page.items]
    # The first page alone; from the second on, the next one is asked for meanwhile.
    assert asked == [1, 3, 4, 5, 5]
    assert titles == [f"Page {i:02d}" for i in range(23)]


async def test_a_walk_that_stops_on_the_first_page_asks_for_nothing_more(
    client: ConfluenceClient, fake: FakeConfluence, many: str
) -> None:
    async for page in client.pages.list(space_id=many, limit=5).pages():
        assert page.items
        break
    async for item in client.pages.list(space_id=many, limit=5):
        assert item.id
        break
    await settle()
    assert len(fake.requests_to("GET", r"/wiki/api/v2/pages$")) == 2


class FailsThird(httpx.AsyncBaseTransport):
    """The third list request is answered 404; the rest reach the fake."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.lists = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/wiki/api/v2/pages"):
            self.lists += 1
            if self.lists == 3:
                return httpx.Response(404, json={"errors": [{"title": "gone"}]})
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize("walk_on", [False, True])
async def test_a_walk_that_stops_later_leaves_at_most_one_answer_unread(
    fake: FakeConfluence, clock: FakeClock, many: str, walk_on: bool
) -> None:
    unhandled: list[dict[str, object]] = []
    asyncio.get_running_loop().set_exception_handler(
        lambda loop, context: unhandled.append(context)
    )
    auth = DirectAuth(site_url=fake.site_url, email=fake.email, api_token=SecretStr(fake.api_token))
    transport = FailsThird(fake.transport())
    async with ConfluenceClient(auth, transport=transport, clock=clock) as client:
        walk = client.pages.list(space_id=many, limit=5).pages()
        assert (await anext(walk)).items and (await anext(walk)).items
        await settle()  # the third page was asked for ahead, and refused
        if walk_on:  # its failure is the walk's, as without asking ahead
            with pytest.raises(NotFound):
                await anext(walk)
        await walk.aclose()  # what leaving an `async for` leads to
    gc.collect()
    assert transport.lists == 3
    assert unhandled == []  # no "Task exception was never retrieved"
