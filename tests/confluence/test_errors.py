"""Every status maps to its exception class; messages carry method, path and Confluence's text only."""

from __future__ import annotations

import pytest

from bot.confluence import (
    AuthError,
    BadRequest,
    Conflict,
    ConfluenceClient,
    ExpiredGrant,
    NoConnection,
    NotFound,
    PermissionDenied,
    RateLimited,
    RequestTimeout,
    ServerError,
    ServiceUnavailable,
    TransportError,
)
from bot.confluence.errors import ApiError
from tests.confluence.conftest import FakeClock, gateway_client
from tests.fakes.confluence_fake import FakeConfluence


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, AuthError),
        (403, PermissionDenied),
        (404, NotFound),
        (409, Conflict),
        (429, RateLimited),
        (500, ServerError),
        (502, ServerError),
        (503, ServiceUnavailable),
        (418, ApiError),
    ],
)
async def test_status_to_exception(
    fake: FakeConfluence, clock: FakeClock, status: int, cls: type[ApiError]
) -> None:
    fake.add_space("ENG", "Engineering")
    fake.fail(
        r"/spaces$",
        status,
        times=10,
        json={"errors": [{"status": status, "title": "Boom from Confluence"}]},
    )
    async with gateway_client(fake, clock) as client:
        with pytest.raises(cls) as info:
            await client.spaces.list().collect()
    err = info.value
    assert type(err) is cls
    assert err.status == status
    assert "GET" in str(err) and "/wiki/api/v2/spaces" in str(err)
    assert "Boom from Confluence" in str(err)
    assert fake.api_key not in str(err)


async def test_real_refusals_map_too(client: ConfluenceClient, fake: FakeConfluence) -> None:
    with pytest.raises(NotFound):
        await client.pages.get("999999")
    fake.add_space("ENG", "Engineering")
    space = (await client.spaces.list().collect())[0]
    with pytest.raises(BadRequest) as info:
        await client.pages.create(space_id=space.id, title="Bad", body="<p>unclosed")
    assert "xhtml" in str(info.value).lower()


async def test_wrong_api_key_is_auth_error_with_hint(
    fake: FakeConfluence, clock: FakeClock
) -> None:
    import httpx
    from pydantic import SecretStr

    from bot.confluence import GatewayAuth

    auth = GatewayAuth(api_key=SecretStr("wrong-key-123"), api_url="http://gateway.test")
    async with ConfluenceClient(
        auth, transport=httpx.ASGITransport(app=fake.app), clock=clock
    ) as c:
        with pytest.raises(AuthError) as info:
            await c.spaces.list().collect()
    assert "MATON_API_KEY" in str(info.value)
    assert "wrong-key-123" not in str(info.value)


async def test_gateway_no_connection_and_expired_grant(
    fake: FakeConfluence, clock: FakeClock
) -> None:
    fake.add_space("ENG", "Engineering")
    fake.add_connection("c-expired", status="EXPIRED", account_id="u-1")
    async with gateway_client(fake, clock) as client:
        with pytest.raises(NoConnection) as no_conn:
            await client.using("c-unknown").spaces.list().collect()
        assert "connect" in str(no_conn.value).lower()
        with pytest.raises(ExpiredGrant) as expired:
            await client.using("c-expired").spaces.list().collect()
        assert "reconnect" in str(expired.value).lower()
    # An expired grant is not retried: it will not heal by itself.
    assert len(fake.requests_to("GET", r"/spaces$")) == 2


async def test_connection_failures_are_transport_errors(clock: FakeClock) -> None:
    import httpx
    from pydantic import SecretStr

    from bot.confluence import DirectAuth, RetryPolicy

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    auth = DirectAuth(
        site_url="https://x.atlassian.net", email="a@b.c", api_token=SecretStr("t0k3n")
    )
    for handler, cls in ((refuse, TransportError), (slow, RequestTimeout)):
        async with ConfluenceClient(
            auth,
            transport=httpx.MockTransport(handler),
            clock=clock,
            retry=RetryPolicy(max_attempts=2, jitter=0.0),
        ) as c:
            with pytest.raises(cls) as info:
                await c.users.current()
        assert "t0k3n" not in str(info.value)
