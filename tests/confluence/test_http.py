"""The HTTP layer: requests in flight bounded by the connection pool (no deadlock with retries or
with paging), and the certificate store loaded only when some base URL is https."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot.confluence import (
    ConfluenceClient,
    DirectAuth,
    GatewayAuth,
    RequestTimeout,
    RetryPolicy,
)
from tests.confluence.conftest import FakeClock
from tests.fakes.confluence_fake import FakeConfluence

POOL = 3


class GatedTransport(httpx.AsyncBaseTransport):
    """Hands requests to `inner` once `gate` opens; records how many were inside at once."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.gate = asyncio.Event()
        self.inside = 0
        self.most = 0
        self._changed = asyncio.Condition()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async with self._changed:
            self.inside += 1
            self.most = max(self.most, self.inside)
            self._changed.notify_all()
        try:
            await self.gate.wait()
            return await self.inner.handle_async_request(request)
        finally:
            self.inside -= 1

    async def until_inside(self, count: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.inside >= count)


class BlockingClock(FakeClock):
    """A clock whose sleeps last until `wake` is set; counts the sleepers."""

    def __init__(self) -> None:
        super().__init__()
        self.wake = asyncio.Event()
        self.sleeping = 0
        self._changed = asyncio.Condition()

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if seconds <= 0:
            return
        async with self._changed:
            self.sleeping += 1
            self._changed.notify_all()
        await self.wake.wait()
        self.sleeping -= 1

    async def until_sleeping(self, count: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.sleeping >= count)


def direct(
    fake: FakeConfluence,
    transport: httpx.AsyncBaseTransport,
    clock: FakeClock,
    *,
    timeout: float = 30.0,
) -> ConfluenceClient:
    auth = DirectAuth(site_url=fake.site_url, email=fake.email, api_token=SecretStr(fake.api_token))
    return ConfluenceClient(
        auth,
        transport=transport,
        clock=clock,
        retry=RetryPolicy(base_delay=0.5, jitter=0.0),
        requests_per_second=1e6,
        timeout=timeout,
        max_connections=POOL,
    )


def page_ids(fake: FakeConfluence, count: int) -> list[str]:
    fake.add_space("ENG", "Engineering")
    return [str(fake.add_page("ENG", f"Page {n}")["id"]) for n in range(count)]


async def give_every_turn() -> None:
    """Let every runnable task run until it waits (no time passes)."""
    for _ in range(20):
        await asyncio.sleep(0)


async def test_requests_in_flight_never_exceed_the_pool(
    fake: FakeConfluence, clock: FakeClock
) -> None:
    ids = page_ids(fake, 12)
    gated = GatedTransport(fake.transport())
    async with direct(fake, gated, clock) as client:
        fetches = [asyncio.create_task(client.pages.get(page_id)) for page_id in ids]
        await gated.until_inside(POOL)
        await give_every_turn()
        inside = gated.inside
        gated.gate.set()
        pages = await asyncio.gather(*fetches)
        assert inside == POOL  # the others waited for a place, not in httpcore's queue
    assert [p.id for p in pages] == ids
    assert gated.most == POOL


async def test_a_retry_waits_without_holding_a_place(fake: FakeConfluence) -> None:
    ids = page_ids(fake, POOL + 1)
    clock = BlockingClock()
    fake.fail(r"/pages/\d+$", 429, times=POOL, headers={"Retry-After": "5"})
    async with direct(fake, fake.transport(), clock) as client:
        limited = [asyncio.create_task(client.pages.get(page_id)) for page_id in ids[:POOL]]
        await clock.until_sleeping(POOL)  # every place's first holder now waits to retry
        async with asyncio.timeout(10):  # a deadlock fails here instead of hanging the suite
            late = await client.pages.get(ids[POOL])
        assert late.id == ids[POOL]
        clock.wake.set()
        assert [p.id for p in await asyncio.gather(*limited)] == ids[:POOL]
    assert clock.sleeps.count(5.0) == POOL


async def test_paging_with_reads_inside_the_loop_does_not_deadlock(
    fake: FakeConfluence, clock: FakeClock
) -> None:
    ids = page_ids(fake, 7)
    gated = GatedTransport(fake.transport())
    gated.gate.set()
    async with direct(fake, gated, clock) as client:

        async def walk() -> list[str]:
            seen = []
            async for page in client.pages.list(limit=2, sort="id"):
                seen.append((await client.pages.get(page.id)).id)  # a read while paging
            return seen

        async with asyncio.timeout(10):
            walks = await asyncio.gather(*(walk() for _ in range(POOL * 2)))
    assert walks == [ids] * (POOL * 2)
    assert gated.most <= POOL


async def test_waiting_for_a_place_longer_than_the_pool_timeout_is_a_timeout(
    fake: FakeConfluence, clock: FakeClock
) -> None:
    ids = page_ids(fake, POOL + 1)
    gated = GatedTransport(fake.transport())
    async with direct(fake, gated, clock, timeout=0.05) as client:
        held = [asyncio.create_task(client.pages.get(page_id)) for page_id in ids[:POOL]]
        await gated.until_inside(POOL)
        async with asyncio.timeout(10):  # the request must give up by itself, long before
            with pytest.raises(RequestTimeout):
                await client.pages.get(ids[POOL])
        gated.gate.set()
        await asyncio.gather(*held)


# -- TLS ------------------------------------------------------------------------------------------


@pytest.fixture
def store_loads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each time a certificate store is loaded into an SSL context."""
    loads: list[Any] = []
    real = ssl.SSLContext.load_verify_locations

    def recording(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args or kwargs)
        real(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", recording)
    return loads


@pytest.mark.parametrize(
    ("api_url", "ctrl_url", "loaded"),
    [
        ("http://127.0.0.1:8080", None, False),
        ("http://127.0.0.1:8080", "http://127.0.0.1:9090", False),
        ("https://api.maton.ai", None, True),
        ("http://127.0.0.1:8080", "https://ctrl.maton.ai", True),
    ],
)
async def test_the_certificate_store_is_loaded_only_for_https(
    store_loads: list[Any], api_url: str, ctrl_url: str | None, loaded: bool
) -> None:
    auth = GatewayAuth(api_key=SecretStr("k"), api_url=api_url, ctrl_url=ctrl_url)
    async with ConfluenceClient(auth):
        assert bool(store_loads) is loaded


@pytest.mark.parametrize(
    ("site", "loaded"), [("http://127.0.0.1:8080", False), ("https://acme.atlassian.net", True)]
)
async def test_direct_mode_loads_the_store_only_for_an_https_site(
    store_loads: list[Any], site: str, loaded: bool
) -> None:
    auth = DirectAuth(site_url=site, email="a@b.c", api_token=SecretStr("t"))
    async with ConfluenceClient(auth):
        assert bool(store_loads) is loaded


async def test_a_plain_http_client_refuses_https_rather_than_trusting_it(
    store_loads: list[Any],
) -> None:
    # Its context has no certificate store: were an https URL ever reached, the handshake would
    # fail verification, never skip it.
    auth = GatewayAuth(api_key=SecretStr("k"), api_url="http://127.0.0.1:8080")
    async with ConfluenceClient(auth) as client:
        context = client._http.ssl_context
        assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
        assert context.cert_store_stats()["x509_ca"] == 0
