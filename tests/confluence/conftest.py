"""Clients wired to the in-memory Confluence/Maton fake, a controllable clock, and the spec check."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from pydantic import SecretStr

from bot.confluence import ConfluenceClient, DirectAuth, GatewayAuth, RetryPolicy
from tests.confluence import openapi
from tests.fakes.confluence_fake import FakeConfluence

GATEWAY = "http://gateway.test"
# Every part of a search hit's content the client reads, when asked for.
SEARCH_EXPANSIONS = [
    "content.version",
    "content.history",
    "content.ancestors",
    "content.space",
    "content.metadata.labels",
    "content.body.storage",
]


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
    ctrl_url: str | None = None,
) -> ConfluenceClient:
    auth = GatewayAuth(
        api_key=SecretStr(fake.api_key),
        api_url=GATEWAY,
        ctrl_url=ctrl_url,
        connection=connection,
        cloud_id=cloud_id,
        site_url=site_url,
    )
    return ConfluenceClient(
        auth,
        transport=fake.transport(),
        clock=clock,
        retry=retry or RetryPolicy(base_delay=0.5, jitter=0.0),
        requests_per_second=rate,
    )


def direct_client(fake: FakeConfluence, clock: FakeClock) -> ConfluenceClient:
    auth = DirectAuth(site_url=fake.site_url, email=fake.email, api_token=SecretStr(fake.api_token))
    return ConfluenceClient(
        auth,
        transport=fake.transport(),
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
def spec_mismatches(fake: FakeConfluence) -> list[str]:
    """Each Confluence request that is no documented operation, or breaks one of its rules."""
    return openapi.mismatches(fake.requests)


@pytest.fixture(autouse=True)
def _conforms_to_openapi(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that used the fake, every Confluence request must be a documented operation
    that meets its documented requirements (required fields and parameters, allowed values)."""
    fake: FakeConfluence | None = None
    if "fake" in request.fixturenames:
        fake = request.getfixturevalue("fake")
    yield
    if fake is None or not openapi.available():
        return  # specs absent on this machine: test_spec_conformance reports the skip
    assert spec_mismatches(fake) == []
