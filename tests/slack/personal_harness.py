"""The end-to-end harness for the personal features: Ada (USER) linked through her own Maton
connection, Bob (OTHER) not; pages with tasks in the Confluence fake; App Home clicks carrying
the tab Slack last showed."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.slack.personal.tasks_view import BLOCK_PREFIX
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.slack_fake import FakeSlack, validate_blocks
from tests.fakes.slack_signing import interactivity_body
from tests.slack.conftest import TEAM, USER, Harness
from tests.slack.identity_harness import harness_with

OTHER = "U0002"
ADA, BOB = "557058:ada", "557058:bob"
ADA_CONN, SHARED_CONN = "conn-ada", "conn-shared"
FORM = "application/x-www-form-urlencoded"


def site() -> FakeConfluence:
    fake = FakeConfluence()
    fake.add_connection(SHARED_CONN, account_id="557058:shared-bot")
    fake.add_user(ADA, "Ada Lovelace", "ada@example.com")
    fake.add_user(BOB, "Bob Babbage", "bob@example.com")
    fake.add_connection(ADA_CONN, account_id=ADA)
    fake.add_space("ENG", "Engineering")
    return fake


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
async def linked(slack_server: tuple[FakeSlack, str], tmp_path: Path) -> AsyncIterator[Harness]:
    async with harness_with(
        slack_server, tmp_path, confluence=site(), maton_connection=SHARED_CONN
    ) as h:
        await link_ada(h)
        yield h


def elements(surface: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    found = []
    for block in surface.get("blocks", []):
        for element in [*block.get("elements", []), block.get("accessory")]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                found.append(element)
    return found


def rows(surface: dict[str, Any]) -> list[dict[str, Any]]:
    """The task rows shown, in order."""
    prefix = f"{BLOCK_PREFIX}t:"
    return [b for b in surface.get("blocks", []) if str(b.get("block_id", "")).startswith(prefix)]


def row_texts(surface: dict[str, Any]) -> list[str]:
    return [str(b["text"]["text"]) for b in rows(surface)]


def answer(h: Harness, response_url: str) -> dict[str, Any]:
    """The last answer sent to `response_url`, checked as Slack would."""
    found = h.answers(response_url)[-1]
    assert validate_blocks(found.get("blocks", [])) == []
    return found


async def open_home(h: Harness, user: str = USER) -> dict[str, Any]:
    h._events += 1
    event = {"type": "app_home_opened", "user": user, "channel": "D0001", "tab": "home"}
    await h.event({**event, "event_ts": str(h._events)})
    return home_view(h, user)


def home_view(h: Harness, user: str = USER) -> dict[str, Any]:
    view = h.slack.home_views[user]
    assert validate_blocks(view["blocks"], surface="home") == []
    return view


async def home_action(
    h: Harness,
    action_id: str,
    *,
    value: str | None = None,
    selected: list[str] | None = None,
    user: str = USER,
    trigger_id: str | None = None,
) -> None:
    """A click on the App Home tab Slack shows now (the view it sends is the one last published
    or updated)."""
    view = h.slack.home_views[user]
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": "b",
        "action_ts": str(time.time()),
    }
    if value is not None:
        action.update(type="button", value=value, text={"type": "plain_text", "text": "x"})
    if selected is not None:
        options = [{"text": {"type": "plain_text", "text": v}, "value": v} for v in selected]
        action.update(type="checkboxes", selected_options=options)
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "name": "someone", "team_id": TEAM},
        "api_app_id": "A0001",
        "token": "verification_token",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": trigger_id or h.slack.new_trigger_id(),
        "team": {"id": TEAM, "domain": "fake-workspace"},
        "view": json.loads(json.dumps(view)),
        "actions": [action],
    }
    response = await h.post(interactivity_body(payload), FORM)
    assert response.status_code == 200
    await h.settle()
