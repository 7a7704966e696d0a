"""End-to-end harness: the real HTTP app, signed requests, the Slack fake on a socket, the Confluence fake."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.bootstrap import build_services, build_slack_app
from bot.config import Settings
from bot.slack.http_app import create_http_app
from bot.slack.services import Services
from tests.confluence import openapi
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.server import serve
from tests.fakes.slack_fake import FakeSlack
from tests.fakes.slack_signing import (
    event_callback_body,
    interactivity_body,
    sign,
    slash_command_body,
)

SIGNING_SECRET = "test-signing-secret-0123456789"
USER = "U0001"
CHANNEL = "C0001"
TEAM = "T0001"


@dataclass
class Harness:
    slack: FakeSlack
    slack_url: str
    confluence: FakeConfluence
    services: Services
    http: httpx.AsyncClient
    web: Any = None  # the Starlette app `serve` runs (behind `http`)
    _events: int = field(default=0)

    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
    ) -> httpx.Response:
        headers = {"Content-Type": content_type, **sign(body, secret, timestamp)}
        return await self.http.post("/slack/events", content=body, headers=headers)

    async def command(
        self, text: str, *, user_id: str = USER, channel_id: str = CHANNEL
    ) -> tuple[httpx.Response, str]:
        response_url = self.slack.new_response_url(self.slack_url)
        body = slash_command_body(
            text,
            user_id=user_id,
            channel_id=channel_id,
            team_id=TEAM,
            response_url=response_url,
            trigger_id=self.slack.new_trigger_id(),
        )
        response = await self.post(body, "application/x-www-form-urlencoded")
        await self.settle()
        return response, response_url

    async def action(
        self, action_id: str, value: str, *, user_id: str = USER, channel_id: str = CHANNEL
    ) -> tuple[httpx.Response, str]:
        response_url = self.slack.new_response_url(self.slack_url)
        payload = {
            "type": "block_actions",
            "user": {"id": user_id, "username": "someone", "name": "someone", "team_id": TEAM},
            "api_app_id": "A0001",
            "token": "verification_token",
            "container": {
                "type": "message",
                "message_ts": "1700000000.000100",
                "channel_id": channel_id,
                "is_ephemeral": True,
            },
            "trigger_id": self.slack.new_trigger_id(),
            "team": {"id": TEAM, "domain": "fake-workspace"},
            "channel": {"id": channel_id, "name": "general"},
            "response_url": response_url,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b1",
                    "text": {"type": "plain_text", "text": "x"},
                    "value": value,
                    "type": "button",
                    "action_ts": str(time.time()),
                }
            ],
        }
        response = await self.post(interactivity_body(payload), "application/x-www-form-urlencoded")
        await self.settle()
        return response, response_url

    async def event(self, event: dict[str, Any], *, event_id: str | None = None) -> httpx.Response:
        if event_id is None:
            self._events += 1
            event_id = f"Ev{self._events:06d}"
        response = await self.post(
            event_callback_body(event, team_id=TEAM, event_id=event_id), "application/json"
        )
        await self.settle()
        return response

    async def settle(self) -> None:
        """Wait for the background work the listeners started (Bolt runs the listeners themselves
        before answering: process_before_response)."""
        await self.services.background.wait_idle()

    def answers(self, response_url: str) -> list[dict[str, Any]]:
        rid = response_url.rsplit("/", 1)[-1]
        return [r["body"] for r in self.slack.responses if r["id"] == rid]

    def answer_text(self, response_url: str) -> str:
        return json.dumps(self.answers(response_url))


@pytest.fixture(scope="module")
def slack_server() -> Iterator[tuple[FakeSlack, str]]:
    slack = FakeSlack()
    with serve(slack.app) as url:
        yield slack, url


@pytest.fixture
async def harness(
    slack_server: tuple[FakeSlack, str], tmp_path: Path, migrated_sqlite: Path
) -> AsyncIterator[Harness]:
    slack, url = slack_server
    slack.calls.clear()
    slack.responses.clear()
    slack.add_user(USER, "someone", real_name="Some One")
    slack.add_user("U0002", "other", real_name="Other Person")
    slack.add_channel(CHANNEL, "general", members=("UBOT", USER, "U0002"))
    slack.add_channel("C0999", "elsewhere", members=(USER,))
    confluence = FakeConfluence()
    database = shutil.copyfile(migrated_sqlite, tmp_path / "bot.db")  # at the newest revision
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        maton_api_key="maton-test-key",
        maton_api_url="http://gateway.test",
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=url + "/api/",
        database_url=f"sqlite:///{database}",
        confluence_max_attempts=1,
    )
    services = build_services(settings, confluence_transport=confluence.transport())
    await services.store.migrate()  # as a start does
    bolt = build_slack_app(settings, services, http_mode=True)
    web = create_http_app(bolt, services, close_on_shutdown=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=web), base_url="http://bot.test"
    ) as http:
        yield Harness(
            slack=slack,
            slack_url=url,
            confluence=confluence,
            services=services,
            http=http,
            web=web,
        )
    await services.aclose()
    if openapi.available():  # every Confluence request the bot made is as Atlassian documents
        assert openapi.mismatches(confluence.requests) == []
