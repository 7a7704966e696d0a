"""Retries: Retry-After honoured (seconds and HTTP date), backoff for 5xx, POST never retried, deadlines."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.confluence import RateLimited, RetryPolicy, ServerError, ServiceUnavailable
from bot.confluence.retry import parse_retry_after
from tests.confluence.conftest import FakeClock, gateway_client
from tests.fakes.confluence_fake import FakeConfluence


@pytest.fixture
def space(fake: FakeConfluence) -> None:
    fake.add_space("ENG", "Engineering")


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("1.5") == 1.5
    assert (
        parse_retry_after(format_datetime(now + timedelta(seconds=42), usegmt=True), now=now)
        == 42.0
    )
    assert (
        parse_retry_after(format_datetime(now - timedelta(seconds=5), usegmt=True), now=now) == 0.0
    )
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None


async def test_429_waits_retry_after_seconds(
    fake: FakeConfluence, clock: FakeClock, space: None
) -> None:
    fake.fail(r"/spaces$", 429, times=2, headers={"Retry-After": "3"})
    async with gateway_client(fake, clock) as client:
        spaces = await client.spaces.list().collect()
    assert [s.key for s in spaces] == ["ENG"]
    assert [s for s in clock.sleeps if s >= 1] == [3.0, 3.0]
    assert len(fake.requests_to("GET", r"/spaces$")) == 3


async def test_503_waits_retry_after_http_date(
    fake: FakeConfluence, clock: FakeClock, space: None
) -> None:
    when = datetime.now(UTC) + timedelta(seconds=20)
    fake.fail(
        r"/spaces$", 503, times=1, headers={"Retry-After": format_datetime(when, usegmt=True)}
    )
    async with gateway_client(fake, clock) as client:
        await client.spaces.list().collect()
    waited = [s for s in clock.sleeps if s >= 1]
    assert len(waited) == 1 and 15 <= waited[0] <= 20


async def test_5xx_gets_exponential_backoff_then_gives_up(
    fake: FakeConfluence, clock: FakeClock, space: None
) -> None:
    fake.fail(r"/spaces$", 500, times=10)
    policy = RetryPolicy(max_attempts=4, base_delay=1.0, jitter=0.0)
    async with gateway_client(fake, clock, retry=policy) as client:
        with pytest.raises(ServerError):
            await client.spaces.list().collect()
    assert [s for s in clock.sleeps if s >= 1] == [1.0, 2.0, 4.0]
    assert len(fake.requests_to("GET", r"/spaces$")) == 4


async def test_jitter_stays_within_bounds() -> None:
    policy = RetryPolicy(base_delay=1.0, jitter=0.5, rng=random.Random(7))
    delays = [policy.backoff(3) for _ in range(200)]
    assert all(2.0 <= d <= 6.0 for d in delays)
    assert len({round(d, 6) for d in delays}) > 100


async def test_retry_after_beyond_deadline_raises_at_once(
    fake: FakeConfluence, clock: FakeClock, space: None
) -> None:
    fake.fail(r"/spaces$", 429, times=1, headers={"Retry-After": "3600"})
    async with gateway_client(fake, clock, retry=RetryPolicy(total_deadline=60)) as client:
        with pytest.raises(RateLimited) as info:
            await client.spaces.list().collect()
    assert info.value.retry_after == 3600
    assert [s for s in clock.sleeps if s >= 1] == []


async def test_post_is_not_retried(fake: FakeConfluence, clock: FakeClock, space: None) -> None:
    fake.fail(r"/pages$", 503, times=1, method="POST", headers={"Retry-After": "1"})
    async with gateway_client(fake, clock) as client:
        space_id = (await client.spaces.list().collect())[0].id
        with pytest.raises(ServiceUnavailable):
            await client.pages.create(space_id=space_id, title="T", body="<p>x</p>")
    assert len(fake.requests_to("POST", r"/pages$")) == 1


async def test_put_and_delete_are_retried(
    fake: FakeConfluence, clock: FakeClock, space: None
) -> None:
    page = fake.add_page("ENG", "P", "<p>x</p>")
    fake.fail(r"/pages/\d+$", 502, times=1, method="PUT")
    fake.fail(r"/pages/\d+$", 504, times=1, method="DELETE")
    async with gateway_client(fake, clock) as client:
        await client.pages.update(page["id"], title="P", body="<p>y</p>", version=2)
        await client.pages.delete(page["id"])
    assert len(fake.requests_to("PUT", r"/pages/\d+$")) == 2
    assert len(fake.requests_to("DELETE", r"/pages/\d+$")) == 2


async def test_a_retried_request_sends_the_same_body_and_query_again(
    fake: FakeConfluence, clock: FakeClock, space: None
) -> None:
    """Each request is built once and sent per attempt: a multipart upload and a JSON body are
    sent whole the second time, and the query with them."""
    page = fake.add_page("ENG", "P", "<p>x</p>")
    fake.fail(r"/child/attachment$", 503, times=1, method="PUT")
    fake.fail(r"/pages/\d+$", 502, times=1, method="PUT")
    fake.fail(r"/pages$", 500, times=1, method="GET")
    async with gateway_client(fake, clock) as client:
        await client.attachments.upload(page["id"], "a.txt", b"hello", minor_edit=True)
        await client.pages.update(page["id"], title="P", body="<p>y</p>", version=2)
        await client.pages.list(title="P", limit=3).collect()
    first, second = fake.requests_to("PUT", r"/child/attachment$")
    assert second.body == first.body and second.form()["file"] == b"hello"
    first, second = fake.requests_to("PUT", r"/pages/\d+$")
    assert second.json() == first.json() and first.json()["title"] == "P"
    first, second = fake.requests_to("GET", r"/pages$")
    assert second.query == first.query == {"title": ["P"], "limit": ["3"]}
