"""Cursor paging across many pages (body link and Link header), and CQL search."""

from __future__ import annotations

import pytest

from bot.confluence import ConfluenceClient, search_cql, strip_highlights
from bot.confluence.cql import convert_highlights
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
