"""Gateway and direct modes, cloud id discovery and caching, and Maton-Connection per call."""

from __future__ import annotations

import asyncio

import pytest

from bot.confluence import ConfluenceClient
from bot.confluence.errors import ConfluenceError
from tests.confluence.conftest import FakeClock, gateway_client
from tests.fakes.confluence_fake import FakeConfluence


async def test_gateway_discovers_cloud_id_once(fake: FakeConfluence, clock: FakeClock) -> None:
    fake.add_space("ENG", "Engineering")
    async with gateway_client(fake, clock) as client:
        await asyncio.gather(*(client.spaces.list().collect() for _ in range(5)))
        await client.spaces.list().collect()
        assert (await client.site()).cloud_id == fake.cloud_id
        assert await client.site_url() == fake.site_url
    assert len(fake.requests_to("GET", r"accessible-resources$")) == 1
    spaces = fake.requests_to("GET", r"/spaces$")
    assert all(
        r.path == f"/confluence/ex/confluence/{fake.cloud_id}/wiki/api/v2/spaces" for r in spaces
    )
    assert all(r.headers["authorization"] == f"Bearer {fake.api_key}" for r in spaces)


async def test_configured_cloud_id_skips_discovery(fake: FakeConfluence, clock: FakeClock) -> None:
    fake.add_space("ENG", "Engineering")
    async with gateway_client(
        fake, clock, cloud_id=fake.cloud_id, site_url=fake.site_url
    ) as client:
        spaces = await client.spaces.list().collect()
    assert spaces[0].web_url == fake.site_url + "/wiki/spaces/ENG"
    assert fake.requests_to("GET", r"accessible-resources$") == []


async def test_site_matching_confluence_url_is_chosen() -> None:
    fake = FakeConfluence(extra_sites=[("other-cloud", "https://other.atlassian.net")])
    clock = FakeClock()
    async with gateway_client(fake, clock, site_url="https://other.atlassian.net") as client:
        site = await client.site()
    assert site.cloud_id == "other-cloud"
    async with gateway_client(fake, clock, site_url="https://nowhere.atlassian.net") as client:
        with pytest.raises(ConfluenceError, match="not among the sites"):
            await client.site()


async def test_direct_mode_uses_basic_auth_on_the_site(
    direct: ConfluenceClient, fake: FakeConfluence
) -> None:
    fake.add_space("ENG", "Engineering")
    spaces = await direct.spaces.list().collect()
    assert spaces[0].web_url == fake.site_url + "/wiki/spaces/ENG"
    me = await direct.users.current()
    assert me.account_id == fake.current_user_account_id
    for req in fake.requests:
        assert req.headers["authorization"].startswith("Basic ")
        assert "maton-connection" not in req.headers
        assert req.path.startswith("/wiki/")
    assert direct.using("c-1").connection is None
    with pytest.raises(ConfluenceError, match="MATON_API_KEY"):
        await direct.connections.list()


async def test_maton_connection_per_client_and_per_call(
    fake: FakeConfluence, clock: FakeClock
) -> None:
    fake.add_space("ENG", "Engineering")
    fake.add_user("u-ann", "Ann")
    fake.add_user("u-ben", "Ben")
    fake.add_connection("c-ann", account_id="u-ann")
    fake.add_connection("c-ben", account_id="u-ben")
    async with gateway_client(fake, clock, connection="c-ann") as client:
        assert (await client.users.current()).account_id == "u-ann"
        ben = client.using("c-ben")
        assert (await ben.users.current()).account_id == "u-ben"
        await ben.spaces.list().collect()
        await client.using(None).spaces.list().collect()  # None: the client's default
    headers = [r.headers.get("maton-connection") for r in fake.requests if "/wiki/" in r.path]
    assert headers == ["c-ann", "c-ben", "c-ben", "c-ann"]
    assert all(r.account_id in {"u-ann", "u-ben"} for r in fake.requests if "/wiki/" in r.path)


async def test_views_share_one_pool_and_closing_a_view_keeps_it(
    fake: FakeConfluence, clock: FakeClock
) -> None:
    fake.add_space("ENG", "Engineering")
    client = gateway_client(fake, clock)
    view = client.using("c-x")
    await view.aclose()  # a view never closes the shared pool
    assert (await client.spaces.list().collect())[0].key == "ENG"
    await client.aclose()
