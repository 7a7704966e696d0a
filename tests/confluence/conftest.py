"""Clients wired to the in-memory Confluence/Maton fake, a controllable clock, and the spec check."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from functools import cache

import httpx
import pytest
from pydantic import SecretStr

from bot.confluence import ConfluenceClient, DirectAuth, GatewayAuth, RetryPolicy
from tests.fakes.confluence_fake import FakeConfluence
from tests.shared_specs import SPECS as SHARED_SPECS

SPECS = SHARED_SPECS / "confluence"
GATEWAY = "http://gateway.test"
CTRL = "http://ctrl.test"
GATEWAY_PREFIX = re.compile(r"^/confluence/ex/confluence/[^/]+(?=/wiki/)")


class FakeClock:
    """monotonic() that only moves when something sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake() -> FakeConfluence:
    return FakeConfluence()


def gateway_client(
    fake: FakeConfluence,
    clock: FakeClock,
    *,
    connection: str | None = None,
    cloud_id: str | None = None,
    site_url: str | None = None,
    retry: RetryPolicy | None = None,
    rate: float = 1000.0,
) -> ConfluenceClient:
    auth = GatewayAuth(
        api_key=SecretStr(fake.api_key),
        api_url=GATEWAY,
        ctrl_url=CTRL,
        connection=connection,
        cloud_id=cloud_id,
        site_url=site_url,
    )
    return ConfluenceClient(
        auth,
        transport=httpx.ASGITransport(app=fake.app),
        clock=clock,
        retry=retry or RetryPolicy(base_delay=0.5, jitter=0.0),
        requests_per_second=rate,
    )


def direct_client(fake: FakeConfluence, clock: FakeClock) -> ConfluenceClient:
    auth = DirectAuth(site_url=fake.site_url, email=fake.email, api_token=SecretStr(fake.api_token))
    return ConfluenceClient(
        auth,
        transport=httpx.ASGITransport(app=fake.app),
        clock=clock,
        retry=RetryPolicy(base_delay=0.5, jitter=0.0),
        requests_per_second=1000.0,
    )


@pytest.fixture
async def client(fake: FakeConfluence, clock: FakeClock) -> AsyncIterator[ConfluenceClient]:
    c = gateway_client(fake, clock)
    yield c
    await c.aclose()


@pytest.fixture
async def direct(fake: FakeConfluence, clock: FakeClock) -> AsyncIterator[ConfluenceClient]:
    c = direct_client(fake, clock)
    yield c
    await c.aclose()


# -- conformance with Atlassian's OpenAPI documents ---------------------------------------------
@cache
def _spec_routes() -> list[tuple[str, re.Pattern[str]]] | None:
    v2 = SPECS / "confluence-cloud-rest-v2.openapi.json"
    v1 = SPECS / "confluence-cloud-rest-v1.openapi.primelib-2024-02.json"
    if not (v1.exists() and v2.exists()):
        return None
    routes: list[tuple[str, re.Pattern[str]]] = []
    for file, prefix in ((v2, "/wiki/api/v2"), (v1, "")):
        spec = json.loads(file.read_text())
        for template, ops in spec["paths"].items():
            pattern = re.escape(prefix + template)
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
            for method in ops:
                if method in {"get", "post", "put", "delete", "patch"}:
                    routes.append((method.upper(), re.compile(f"^{pattern}$")))
    return routes


def spec_mismatches(fake: FakeConfluence) -> list[str]:
    """Requests to Confluence paths that match no path+method in the published specs."""
    routes = _spec_routes()
    assert routes is not None
    bad = []
    for req in fake.requests:
        path = GATEWAY_PREFIX.sub("", req.path)
        if not path.startswith("/wiki/"):
            continue  # Maton's own API (accessible-resources, /connections) is not Atlassian's
        if not any(m == req.method and rx.match(path) for m, rx in routes):
            bad.append(f"{req.method} {path}")
    return bad


@pytest.fixture(autouse=True)
def _conforms_to_openapi(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that used the fake, every Confluence request must exist in the OpenAPI specs."""
    fake: FakeConfluence | None = None
    if "fake" in request.fixturenames:
        fake = request.getfixturevalue("fake")
    yield
    if fake is None or _spec_routes() is None:
        return  # specs absent on this machine: test_spec_conformance reports the skip
    assert spec_mismatches(fake) == []
