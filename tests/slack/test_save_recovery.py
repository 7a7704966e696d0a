"""The scheduler's sweep of saves whose process died: run again through Slack, the page the
dead save made adopted, and the user told how it ended.

The dead save is recorded as it would have been left (tests/write/dead_saves.py); how a save
adopts and when the thread is free again is tests/write/test_save_recovery.py's; the real
process kill is in test_save_crash.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.app import web_client
from bot.slack.write.save import resume_interrupted_saves
from bot.write import SaveRequest, SpaceChoice
from bot.write.save import MAX_RESUMES
from bot.write.save_target import PROPERTY_KEY
from tests.slack.conftest import CHANNEL, TEAM, USER, Harness
from tests.slack.test_write_e2e import _ephemerals, _seed_thread
from tests.write.dead_saves import died, resumed_and_died

THREAD_TS = "1700000000.000100"


@pytest.fixture
def space(harness: Harness) -> dict[str, Any]:
    return harness.confluence.add_space("ENG", "Engineering")


def _request(space: dict[str, Any], title: str, key: str = "save:V9:abc") -> SaveRequest:
    return SaveRequest(
        team_id=TEAM,
        user_id=USER,
        user_name="someone",
        channel_id=CHANNEL,
        thread_ts=THREAD_TS,
        message_ts=THREAD_TS,
        title=title,
        space=SpaceChoice(str(space["id"]), "ENG"),
        parent_id=None,
        include_replies=True,
        idempotency_key=key,
    )


def _client(harness: Harness) -> AsyncWebClient:
    """The scheduler's Slack client (it carries the bot token itself)."""
    return web_client(harness.services.settings)


def _told(harness: Harness) -> str:
    dms = [c.args for c in harness.slack.calls_to("chat.postMessage") if c.args["channel"] == USER]
    return json.dumps(_ephemerals(harness) + dms)


def _current_pages(harness: Harness) -> list[Any]:
    pages = harness.confluence.by_kind.get("page", {}).values()
    return [p for p in pages if p.data["status"] == "current"]


async def test_the_sweep_resumes_and_adopts_the_page_by_title_and_tells_the_user(
    harness: Harness, space: dict[str, Any]
) -> None:
    _seed_thread(harness, 2)
    req = _request(space, "Deploy plan")
    # Confluence created the page; the process died before it heard back.
    orphan = harness.confluence.add_page("ENG", "Deploy plan", "<p>half</p>")
    await died(harness.services.store, req, intent=("Deploy plan", str(space["id"])))

    assert await resume_interrupted_saves(harness.services, _client(harness)) == 1
    await harness.settle()
    (page,) = _current_pages(harness)
    assert page.id == orphan["id"]
    assert harness.confluence.requests_to("POST", r"/api/v2/pages$") == []
    assert "reply 1" in page.storage and PROPERTY_KEY in json.dumps(page.properties)
    told = _told(harness)
    assert "interrupted" in told and f"/pages/{orphan['id']}" in told
    thread_posts = [
        c.args for c in harness.slack.calls_to("chat.postMessage") if c.args.get("thread_ts")
    ]
    assert any("saved to Confluence" in p["text"] for p in thread_posts)
    mapping = await harness.services.store.threads.get(TEAM, CHANNEL, THREAD_TS)
    assert mapping is not None and mapping.page_id == orphan["id"]
    assert await harness.services.store.get_result(req.idempotency_key) == orphan["id"]
    # Nothing left to resume.
    assert await resume_interrupted_saves(harness.services, _client(harness)) == 0


async def test_the_sweep_creates_the_page_when_the_dead_save_had_not(
    harness: Harness, space: dict[str, Any]
) -> None:
    _seed_thread(harness, 1)
    await died(harness.services.store, _request(space, "Deploy plan"))
    await resume_interrupted_saves(harness.services, _client(harness))
    (page,) = _current_pages(harness)
    assert page.data["title"] == "Deploy plan" and "interrupted" in _told(harness)


async def test_a_resumed_save_that_fails_says_so(harness: Harness, space: dict[str, Any]) -> None:
    _seed_thread(harness, 1)
    await died(harness.services.store, _request(space, "Deploy plan"))
    harness.confluence.fail(r"/api/v2/pages$", 403, method="POST")
    await resume_interrupted_saves(harness.services, _client(harness))
    told = _told(harness)
    assert "interrupted" in told and "couldn't finish it" in told and "permission" in told
    assert _current_pages(harness) == []


async def test_a_save_interrupted_again_and_again_is_given_up_and_told(
    harness: Harness, space: dict[str, Any]
) -> None:
    _seed_thread(harness, 1)
    req = _request(space, "Deploy plan")
    await died(harness.services.store, req)
    await resumed_and_died(harness.services.store, req, MAX_RESUMES)  # each resume died too
    await resume_interrupted_saves(harness.services, _client(harness))
    assert "stopped trying" in _told(harness)
    assert _current_pages(harness) == []
    assert await resume_interrupted_saves(harness.services, _client(harness)) == 0
