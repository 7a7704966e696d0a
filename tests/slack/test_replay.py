"""A valid request replayed within Slack's 5-minute signature window does not act twice: slash
commands and buttons with effects are handled once per trigger_id (the event dedupe table)."""

from __future__ import annotations

import json
import time

import pytest

from bot.slack.personal.preferences_view import PREFERENCES_ACTION
from bot.slack.personal.tasks_view import TASK_DONE_ACTION, TASKS_NEXT_ACTION
from bot.slack.replay import has_effects
from bot.slack.search_view import SHARE_ACTION, ResultCard
from tests.fakes.slack_signing import interactivity_body, slash_command_body
from tests.slack.conftest import CHANNEL, TEAM, USER, Harness

FORM = "application/x-www-form-urlencoded"
SITE = "https://acme.atlassian.net"


async def _twice(harness: Harness, body: bytes) -> None:
    for _ in range(2):
        assert (await harness.post(body, FORM)).status_code == 200
        await harness.settle()


def _command(harness: Harness, text: str, trigger_id: str) -> bytes:
    return slash_command_body(
        text,
        user_id=USER,
        channel_id=CHANNEL,
        team_id=TEAM,
        response_url=harness.slack.new_response_url(harness.slack_url),
        trigger_id=trigger_id,
    )


async def test_replayed_comment_comments_once(harness: Harness) -> None:
    harness.confluence.add_space("ENG", "Engineering")
    page = harness.confluence.add_page("ENG", "Runbook")
    await _twice(harness, _command(harness, f"comment {page['id']} once only", "111.222.aaa"))
    assert len(harness.confluence.by_kind["footer"]) == 1


async def test_replayed_create_opens_one_modal(harness: Harness) -> None:
    await _twice(harness, _command(harness, "create Notes", "111.222.bbb"))
    assert len(harness.slack.calls_to("views.open")) == 1


async def test_replayed_digest_now_runs_once(harness: Harness) -> None:
    harness.confluence.add_space("ENG", "Engineering")
    await harness.command("digest subscribe ENG")
    before = len(harness.confluence.requests)
    await _twice(harness, _command(harness, "digest now", "111.222.ccc"))
    blog_lists = [r for r in harness.confluence.requests[before:] if r.path.endswith("/blogposts")]
    assert len(blog_lists) == 1


async def test_replayed_share_posts_once(harness: Harness) -> None:
    harness.confluence.add_space("ENG", "Engineering")
    page = harness.confluence.add_page("ENG", "Shared page")
    card = ResultCard(
        url=f"{SITE}/wiki/spaces/ENG/pages/{page['id']}/Shared+page",
        title="Shared page",
        space="Engineering",
        kind="Page",
        modified="",
        excerpt="",
    )
    payload = {
        "type": "block_actions",
        "user": {"id": USER, "name": "someone", "team_id": TEAM},
        "team": {"id": TEAM},
        "channel": {"id": CHANNEL},
        "trigger_id": "111.222.ddd",
        "response_url": harness.slack.new_response_url(harness.slack_url),
        "actions": [
            {
                "action_id": SHARE_ACTION,
                "block_id": "b",
                "value": card.to_value(),
                "action_ts": str(time.time()),
            }
        ],
    }
    await _twice(harness, interactivity_body(payload))
    assert len(harness.slack.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize("text", ["search kubernetes", "help", "digest list"])
async def test_reads_are_not_deduplicated(harness: Harness, text: str) -> None:
    # Only requests with effects are tracked; a read answered twice harms no one.
    url = harness.slack.new_response_url(harness.slack_url)
    body = slash_command_body(text, response_url=url, trigger_id="111.222.eee")
    responses = []
    for _ in range(2):
        responses.append(await harness.post(body, FORM))
        await harness.settle()
    assert all(r.status_code == 200 for r in responses)
    if text == "help":
        assert all("search" in json.dumps(r.json()) for r in responses)
    else:
        assert len(harness.answers(url)) == 2


@pytest.mark.parametrize(
    ("text", "effects"),
    [("tasks", False), ("me", False), ("me off comments", True), ("me on", True)],
)
def test_personal_commands_with_effects(text: str, effects: bool) -> None:
    assert has_effects({"command": "/confluence", "text": text}) is effects


def test_done_and_the_checkboxes_have_effects_paging_does_not() -> None:
    def click(action_id: str) -> dict[str, object]:
        return {"type": "block_actions", "actions": [{"action_id": action_id}]}

    assert has_effects(click(TASK_DONE_ACTION)) and has_effects(click(PREFERENCES_ACTION))
    assert not has_effects(click(TASKS_NEXT_ACTION))
