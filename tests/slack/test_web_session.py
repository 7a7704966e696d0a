"""One aiohttp session for every Slack client the app builds: a thousand posts reuse a bounded
pool of connections, and shutting down closes the session (no "Unclosed client session")."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot import bootstrap
from bot.bootstrap import build_services, build_slack_app, check
from bot.config import Settings
from bot.slack.web_session import SLACK_POOL_SIZE
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.server import Connections, serve
from tests.fakes.slack_fake import FakeSlack
from tests.slack.processes import seed_due_digest

POSTS = 1000


@pytest.fixture
def slack() -> Iterator[tuple[FakeSlack, str, Connections]]:
    fake = FakeSlack()
    connections = Connections()
    with serve(fake.app, connections=connections) as url:
        yield fake, url, connections


def settings(slack_url: str, tmp_path: Path, **more: Any) -> Settings:
    fields: dict[str, Any] = {
        "maton_api_key": "maton-test-key",
        "maton_api_url": "http://gateway.test",
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": "session-test-secret",
        "slack_api_url": slack_url + "/api/",
        "database_url": f"sqlite:///{tmp_path}/bot.db",
        **more,
    }
    return Settings(_env_file=None, **fields)  # type: ignore[call-arg]


@contextlib.contextmanager
def unclosed_sessions() -> Iterator[list[str]]:
    """What aiohttp says about sessions collected unclosed inside the block: its ResourceWarning
    is made an error, and the error (raised in __del__, so "unraisable") is collected here."""
    caught: list[str] = []
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        caught.append(f"{type(unraisable.exc_value).__name__}: {unraisable.exc_value}")

    sys.unraisablehook = hook
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message="Unclosed", category=ResourceWarning)
            yield caught
            gc.collect()
    finally:
        sys.unraisablehook = previous


async def test_a_thousand_posts_open_at_most_the_pool(
    slack: tuple[FakeSlack, str, Connections], tmp_path: Path
) -> None:
    fake, url, connections = slack
    fake.add_channel("C1", "general")
    services = build_services(settings(url, tmp_path))
    try:
        app = build_slack_app(services.settings, services, http_mode=True)
        limit = asyncio.Semaphore(2 * SLACK_POOL_SIZE)  # more callers than connections

        async def post(n: int) -> None:
            async with limit:
                await app.client.chat_postMessage(token=fake.bot_token, channel="C1", text=str(n))

        await asyncio.gather(*(post(n) for n in range(POSTS)))
    finally:
        await services.aclose()
    assert len(fake.calls_to("chat.postMessage")) == POSTS
    assert 0 < connections.opened <= SLACK_POOL_SIZE


async def test_every_client_the_app_builds_shares_the_one_session(
    slack: tuple[FakeSlack, str, Connections], tmp_path: Path
) -> None:
    # What `serve` builds: the token check's client, Bolt's (and the clients it makes for each
    # request), the scheduler's. A hundred digests and the check go over one pool.
    fake, url, connections = slack
    now = datetime.now(UTC)
    channels = [f"C{n:03d}" for n in range(SLACK_POOL_SIZE + 36)]
    for channel in channels:
        fake.add_channel(channel, channel.lower())
    confluence = FakeConfluence()
    with serve(confluence.app) as confluence_url:
        configured = settings(url, tmp_path, maton_api_url=confluence_url)
        await seed_due_digest(configured.database_url, confluence, channels, now)
        built = bootstrap._built(configured, http_mode=True, scheduler=True)
        services = built.services
        try:
            await built.authorization.result()  # the start's token check
            assert built.app.client.session is services.slack_session
            assert built.authorization._client.session is services.slack_session
            ran = asyncio.Event()
            job_ran = services.metrics.job_ran
            services.metrics.job_ran = lambda job: (job_ran(job), ran.set())  # type: ignore[method-assign]
            [scheduler] = built.schedulers
            scheduler.start()
            try:
                async with asyncio.timeout(30):
                    await ran.wait()  # the first tick, at once
            finally:
                await scheduler.shutdown()
        finally:
            await services.aclose()
    assert len(fake.calls_to("auth.test")) == 1
    digests = fake.calls_to("chat.postMessage")
    assert {c.args["channel"] for c in digests} == set(channels)
    assert 0 < connections.opened <= SLACK_POOL_SIZE < len(digests)


async def test_shutdown_closes_the_session(
    slack: tuple[FakeSlack, str, Connections], tmp_path: Path
) -> None:
    _, url, _ = slack
    confluence = FakeConfluence()
    with serve(confluence.app) as confluence_url, unclosed_sessions() as caught:
        services = build_services(settings(url, tmp_path))
        session = services.slack_session
        await services.aclose()
        assert session.closed
        # `check` builds the services, talks to Slack through the session, and closes it.
        configured = settings(url, tmp_path, maton_api_url=confluence_url)
        results = await check(configured)
        assert results[0].name == "slack" and results[0].ok, results[0]
        del services, session
    assert caught == []


async def test_an_unclosed_session_would_be_caught() -> None:
    # The check above can fail: a session dropped without closing is reported.
    with unclosed_sessions() as caught:
        aiohttp.ClientSession()
    assert caught and "Unclosed client session" in caught[0]
