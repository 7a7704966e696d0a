"""The notify end-to-end harness: Ada (USER) linked through her own connection, Bob (OTHER) not
(he reads through the shared connection in optional mode); spaces ENG and OPS with pages, and
SECRET, which only Ada may see."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.notify import NotifySubscription
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.slack_fake import FakeSlack, validate_blocks
from tests.fakes.slack_signing import interactivity_body
from tests.slack.conftest import CHANNEL, TEAM, USER, Harness
from tests.slack.identity_harness import harness_with

OTHER = "U0002"
ADA, BOB = "557058:ada", "557058:bob"
ADA_CONN, SHARED_CONN = "conn-ada", "conn-shared"
SITE = "https://acme.atlassian.net"
FORM = "application/x-www-form-urlencoded"


def site() -> FakeConfluence:
    fake = FakeConfluence()
    fake.add_connection(SHARED_CONN, account_id="557058:shared-bot")
    fake.add_user(ADA, "Ada Lovelace", "ada@example.com")
    fake.add_connection(ADA_CONN, account_id=ADA)
    fake.add_space("ENG", "Engineering")
    fake.add_space("OPS", "Operations")
    fake.add_space("SECRET", "Secret")
    fake.restrict_space("SECRET", [ADA])
    return fake


def seed_pages(h: Harness) -> tuple[str, str]:
    """A "Runbooks" page in ENG and a "Rota" page in OPS; their ids."""
    runbooks = h.confluence.add_page("ENG", "Runbooks")["id"]
    rota = h.confluence.add_page("OPS", "Rota")["id"]
    return str(runbooks), str(rota)


async def link_ada(h: Harness) -> None:
    await h.services.store.connections.put(
        team_id=TEAM,
        slack_user_id=USER,
        connection_id=ADA_CONN,
        status="active",
        atlassian_account_id=ADA,
        atlassian_name="Ada Lovelace",
        atlassian_email="ada@example.com",
    )


@pytest.fixture
async def notify_h(slack_server: tuple[FakeSlack, str], tmp_path: Path) -> AsyncIterator[Harness]:
    async with harness_with(
        slack_server, tmp_path, confluence=site(), maton_connection=SHARED_CONN
    ) as h:
        h.slack.add_channel("C0999", "elsewhere", members=(USER,))
        h.slack.messages.clear()
        await link_ada(h)
        yield h


async def say(h: Harness, text: str, *, user: str = USER, channel: str = CHANNEL) -> str:
    """Run `/confluence notify …` and return the private answer's text (checked as Slack would)."""
    response, url = await h.command(f"notify {text}", user_id=user, channel_id=channel)
    assert response.status_code == 200
    answers = h.answers(url)
    assert len(answers) == 1, answers
    assert answers[0]["response_type"] == "ephemeral"
    assert validate_blocks(answers[0].get("blocks", [])) == []
    return str(answers[0]["text"])


async def rows(h: Harness, channel: str = CHANNEL) -> list[NotifySubscription]:
    return await h.services.store.notify.in_channel(TEAM, channel)


async def open_home(h: Harness, user: str = USER) -> dict[str, Any]:
    h._events += 1
    event = {"type": "app_home_opened", "user": user, "channel": "D0001", "tab": "home"}
    await h.event({**event, "event_ts": str(h._events)})
    return home_view(h, user)


def home_view(h: Harness, user: str = USER) -> dict[str, Any]:
    view = h.slack.home_views[user]
    assert validate_blocks(view["blocks"], surface="home") == []
    return view


async def choose(h: Harness, action_id: str, value: str, *, user: str = USER) -> None:
    """Pick `value` in an overflow menu of the App Home tab Slack shows now."""
    view = h.slack.home_views[user]
    option = {"text": {"type": "plain_text", "text": value}, "value": value}
    action = {
        "type": "overflow",
        "action_id": action_id,
        "block_id": "b",
        "selected_option": option,
        "action_ts": str(time.time()),
    }
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "name": "someone", "team_id": TEAM},
        "api_app_id": "A0001",
        "token": "verification_token",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": h.slack.new_trigger_id(),
        "team": {"id": TEAM, "domain": "fake-workspace"},
        "view": json.loads(json.dumps(view)),
        "actions": [action],
    }
    response = await h.post(interactivity_body(payload), FORM)
    assert response.status_code == 200
    await h.settle()
