"""The end-to-end harness with chosen settings (user-auth policy, shared connection, direct mode)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from bot.bootstrap import build_services, build_slack_app
from bot.config import Settings
from bot.slack.http_app import create_http_app
from tests.confluence import openapi
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.slack_fake import FakeSlack
from tests.slack.conftest import CHANNEL, SIGNING_SECRET, USER, Harness

DIRECT = {
    "maton_api_key": None,
    "confluence_url": "https://acme.atlassian.net",
    "confluence_email": "bot@example.com",
    "confluence_api_token": "test-api-token",
}


@asynccontextmanager
async def harness_with(
    slack_server: tuple[FakeSlack, str],
    tmp_path: Path,
    *,
    confluence: FakeConfluence | None = None,
    **overrides: Any,
) -> AsyncIterator[Harness]:
    """Like the `harness` fixture, with Settings fields overridden (e.g. confluence_user_auth)."""
    slack, url = slack_server
    slack.calls.clear()
    slack.responses.clear()
    slack.ephemerals.clear()
    slack.add_user(USER, "someone", real_name="Some One")
    slack.add_user("U0002", "other", real_name="Other Person")
    slack.add_channel(CHANNEL, "general", members=("UBOT", USER, "U0002"))
    confluence = confluence or FakeConfluence()
    fields: dict[str, Any] = {
        "maton_api_key": "maton-test-key",
        "maton_api_url": "http://gateway.test",
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": url + "/api/",
        "database_url": f"sqlite:///{tmp_path}/bot.db",
        "confluence_max_attempts": 1,
        **overrides,
    }
    settings = Settings(_env_file=None, **fields)  # type: ignore[call-arg]
    services = build_services(settings, confluence_transport=confluence.transport())
    await services.store.migrate()
    bolt = build_slack_app(settings, services, http_mode=True)
    web = create_http_app(bolt, services, close_on_shutdown=False)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=web), base_url="http://bot.test"
        ) as http:
            yield Harness(
                slack=slack, slack_url=url, confluence=confluence, services=services, http=http
            )
    finally:
        await services.aclose()
    if openapi.available():  # every Confluence request the bot made is as Atlassian documents
        assert openapi.mismatches(confluence.requests) == []
