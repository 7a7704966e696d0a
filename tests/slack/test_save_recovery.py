"""Saves whose process died: the thread is not locked for long, the page it made is adopted
(by the sweep or by the user's next save), and the user is told how it ended.

The dead save is recorded as it would have been left (a lease held by a process that exited,
with or without the intent to create a page); the real process kill is in test_save_crash.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.app import web_client
from bot.slack.write.save import MAX_RESUMES, PROPERTY_KEY, SaveRequest, resume_interrupted_saves
from bot.slack.write.views import SpaceChoice
from bot.store.leases import new_owner
from tests.slack.conftest import CHANNEL, TEAM, USER, Harness
from tests.slack.test_write_e2e import _ephemerals, _save, _save_values, _seed_thread

THREAD_TS = "1700000000.000100"


@pytest.fixture
def space(harness: Harness) -> dict[str, Any]:
    return harness.confluence.add_space("ENG", "Engineering")


def _dead_owner() -> str:
    """The owner name of a process on this machine that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    where, _, token = new_owner().split(":")
    return f"{where}:{child.pid}:{token}"


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


async def _died(
    harness: Harness,
    req: SaveRequest,
    *,
    intent: tuple[str, str] | None = None,
    page_id: str | None = None,
    at: datetime | None = None,
) -> None:
    """Record the save as a process that died mid-way leaves it."""
    saves = harness.services.store.saves
    await harness.services.store.claim_once(req.idempotency_key, 3600)  # the modal's submission
    owner = _dead_owner()
    claim = await saves.claim(
        req.thread_key, owner=owner, request=req.to_json(), user_id=req.user_id, lease_seconds=60
    )
    assert claim is not None
    if intent is not None:
        assert await saves.creating(req.thread_key, owner, *intent, now=at)
    if page_id is not None:
        assert await saves.created(req.thread_key, owner, page_id)


def _client(harness: Harness) -> AsyncWebClient:
    """The scheduler's Slack client (it carries the bot token itself)."""
    return web_client(harness.services.settings)


def _told(harness: Harness) -> str:
    dms = [c.args for c in harness.slack.calls_to("chat.postMessage") if c.args["channel"] == USER]
    return json.dumps(_ephemerals(harness) + dms)


def _current_pages(harness: Harness) -> list[Any]:
    pages = harness.confluence.by_kind.get("page", {}).values()
    return [p for p in pages if p.data["status"] == "current"]


async def test_a_dead_holder_does_not_block_saving_the_thread(
    harness: Harness, space: dict[str, Any]
) -> None:
    message = _seed_thread(harness, 2)
    await _died(harness, _request(space, "Deploy plan"))  # died before creating anything
    await _save(harness, message, _save_values(space, "Deploy plan"))
    assert "right now" not in _told(harness)
    (page,) = _current_pages(harness)
    assert page.data["title"] == "Deploy plan"
    assert await harness.services.store.saves.get((TEAM, CHANNEL, THREAD_TS)) is None


async def test_the_sweep_resumes_and_adopts_the_page_by_title_and_tells_the_user(
    harness: Harness, space: dict[str, Any]
) -> None:
    _seed_thread(harness, 2)
    req = _request(space, "Deploy plan")
    # Confluence created the page; the process died before it heard back.
    orphan = harness.confluence.add_page("ENG", "Deploy plan", "<p>half</p>")
    await _died(harness, req, intent=("Deploy plan", str(space["id"])))

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
    await _died(harness, _request(space, "Deploy plan"))
    await resume_interrupted_saves(harness.services, _client(harness))
    (page,) = _current_pages(harness)
    assert page.data["title"] == "Deploy plan" and "interrupted" in _told(harness)


async def test_the_users_next_save_adopts_the_orphan_under_the_new_title(
    harness: Harness, space: dict[str, Any]
) -> None:
    message = _seed_thread(harness, 2)
    orphan = harness.confluence.add_page("ENG", "Deploy plan", "<p>half</p>")
    await _died(harness, _request(space, "Deploy plan"), intent=("Deploy plan", str(space["id"])))
    await _save(harness, message, _save_values(space, "Deploy plan, Friday"))
    (page,) = _current_pages(harness)
    assert page.id == orphan["id"] and page.data["title"] == "Deploy plan, Friday"
    assert harness.confluence.requests_to("POST", r"/api/v2/pages$") == []
    assert "Saved" in _told(harness)


async def test_a_page_of_that_title_made_long_before_is_not_adopted(
    harness: Harness, space: dict[str, Any]
) -> None:
    message = _seed_thread(harness, 2)
    older = datetime.now(UTC) - timedelta(days=3)
    someone_elses = harness.confluence.add_page("ENG", "Deploy plan", created_at=older)
    await _died(harness, _request(space, "Deploy plan"), intent=("Deploy plan", str(space["id"])))
    await _save(harness, message, _save_values(space, "Deploy plan (2)"))
    pages = {p.data["title"]: p for p in _current_pages(harness)}
    assert set(pages) == {"Deploy plan", "Deploy plan (2)"}
    assert pages["Deploy plan"].id == someone_elses["id"] and pages["Deploy plan"].properties == {}


async def test_a_resumed_save_that_fails_says_so(harness: Harness, space: dict[str, Any]) -> None:
    _seed_thread(harness, 1)
    await _died(harness, _request(space, "Deploy plan"))
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
    await _died(harness, req)
    for _ in range(MAX_RESUMES):  # each resume died too
        claim = await harness.services.store.saves.claim(
            req.thread_key,
            owner=_dead_owner(),
            request=req.to_json(),
            user_id=USER,
            lease_seconds=60,
            resuming=True,
        )
        assert claim is not None
    await resume_interrupted_saves(harness.services, _client(harness))
    assert "stopped trying" in _told(harness)
    assert _current_pages(harness) == []
    assert await resume_interrupted_saves(harness.services, _client(harness)) == 0
