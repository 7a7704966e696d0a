"""A real `serve` process killed after Confluence created the page, then started again: the save
is resumed, the page is adopted (not orphaned, not created twice), and the user is told.

The Confluence fake runs behind a gate that lets `POST /pages` reach it (the page is created)
and then withholds the answer, so the bot is killed (SIGKILL: no cleanup of any kind) exactly in
the window between Confluence's write and the bot's record of it.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.slack.write import views
from bot.slack.write.metadata import SaveMetadata
from bot.store import Store
from bot.write.save_target import PROPERTY_KEY
from tests.children import BotProcess
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.server import serve
from tests.fakes.slack_fake import FakeSlack
from tests.fakes.slack_signing import interactivity_body, sign
from tests.fakes.withhold import WithholdAnswer
from tests.slack.processes import WAIT_SECONDS, bot_env, fakes_env, start, stop, until

SECRET = "crash-test-signing-secret"
TEAM, USER, CHANNEL = "T0001", "U0001", "C0CRASH"
THREAD_TS = "1700000000.000100"
TITLE = "Incident 42 timeline"


def creates_a_page(scope: dict[str, Any], body: bytes) -> bool:
    """`POST …/api/v2/pages` reaches the fake (which creates the page); its answer is withheld."""
    return scope["method"] == "POST" and scope["path"].endswith("/api/v2/pages")


@pytest.fixture
def fakes() -> Iterator[tuple[FakeSlack, str, FakeConfluence, str, WithholdAnswer]]:
    slack = FakeSlack()
    slack.add_user(USER, "someone", real_name="Some One")
    slack.add_channel(CHANNEL, "incidents", members=("UBOT", USER))
    slack.add_message(CHANNEL, {"user": USER, "text": "Database failover started", "ts": THREAD_TS})
    for i in range(3):
        slack.add_message(
            CHANNEL,
            {
                "user": USER,
                "text": f"update {i}",
                "ts": f"1700000{i + 1:03d}.000200",
                "thread_ts": THREAD_TS,
            },
        )
    confluence = FakeConfluence()
    confluence.add_space("ENG", "Engineering")
    gate = WithholdAnswer(confluence.app, creates_a_page)
    with serve(slack.app) as slack_url, serve(gate) as confluence_url:
        try:
            yield slack, slack_url, confluence, confluence_url, gate
        finally:
            gate.release()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _healthy(port: int, proc: BotProcess, log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    async with httpx.AsyncClient() as http:
        while True:
            assert proc.returncode is None, log.read_text()
            try:
                if (await http.get(f"http://127.0.0.1:{port}/healthz", timeout=1)).is_success:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not become healthy"
            await asyncio.sleep(0.2)


def _submission(space_id: str) -> bytes:
    meta = SaveMetadata(channel_id=CHANNEL, thread_ts=THREAD_TS, message_ts=THREAD_TS)
    view = {**views.save_modal(meta, title=TITLE, is_thread=True), "id": "VCRASH0001", "hash": "h1"}
    values = {
        views.TITLE_BLOCK: {views.TITLE_ACTION: {"type": "plain_text_input", "value": TITLE}},
        views.SPACE_BLOCK: {
            views.SPACE_ACTION: {
                "type": "external_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": "Engineering"},
                    "value": f"{space_id}|ENG",
                },
            }
        },
    }
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "fake-workspace"},
        "user": {"id": USER, "username": "someone", "name": "someone", "team_id": TEAM},
        "api_app_id": "A0001",
        "trigger_id": "1700000000.1.crash",
        "view": {**view, "state": {"values": values}},
        "response_urls": [],
    }
    return interactivity_body(payload)


def _told(slack: FakeSlack) -> list[str]:
    calls = slack.calls_to("chat.postEphemeral") + slack.calls_to("chat.postMessage")
    return [
        json.dumps(c.args)
        for c in calls
        if c.args.get("user") == USER or c.args.get("channel") == USER
    ]


async def test_killed_mid_save_is_resumed_adopting_the_page_and_telling_the_user(
    fakes: tuple[FakeSlack, str, FakeConfluence, str, WithholdAnswer], tmp_path: Path
) -> None:
    slack, slack_url, confluence, confluence_url, gate = fakes
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    env = bot_env(
        **fakes_env(slack, slack_url, confluence, confluence_url),
        DATABASE_URL=database_url,
        SLACK_SIGNING_SECRET=SECRET,
    )
    space_id = confluence.space_ids_by_key["ENG"]

    # 1. Save; kill the process once Confluence has created the page.
    port, first_log = _free_port(), tmp_path / "first.log"
    first = await start(["serve", "--port", str(port)], env, tmp_path, first_log)
    try:
        await _healthy(port, first, first_log)
        body = _submission(space_id)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, SECRET)}
        async with httpx.AsyncClient() as http:
            answer = await http.post(
                f"http://127.0.0.1:{port}/slack/events", content=body, headers=headers
            )
        assert answer.status_code == 200, first_log.read_text()
        await until("POST /pages reached Confluence", gate.reached.is_set)
    finally:
        first.kill()
        await first.wait()
    gate.release()
    [orphan] = [p for p in confluence.by_kind["page"].values() if p.data["title"] == TITLE]
    assert orphan.properties == {} or PROPERTY_KEY not in json.dumps(orphan.properties)
    assert not any("Saved" in t for t in _told(slack))

    # 2. Start again: the interrupted save is resumed at once and the user told.
    port, second_log = _free_port(), tmp_path / "second.log"
    second = await start(["serve", "--port", str(port)], env, tmp_path, second_log)
    try:
        await until(
            "the user to hear about the resumed save",
            lambda: any("interrupted" in t for t in _told(slack)) or second.returncode is not None,
        )
    finally:
        code = await stop(second)
    output = second_log.read_text()
    assert code == 0 and "Traceback" not in output, output

    pages = [p for p in confluence.by_kind["page"].values() if p.data["title"] == TITLE]
    assert [p.id for p in pages] == [orphan.id]  # adopted, not created again
    assert len(confluence.requests_to("POST", r"/api/v2/pages$")) == 1
    assert "update 2" in pages[0].storage
    assert PROPERTY_KEY in json.dumps(pages[0].properties, default=str)
    [told] = [t for t in _told(slack) if "interrupted" in t]
    assert f"/pages/{orphan.id}" in told
    store = Store.from_url(database_url)
    try:
        mapping = await store.threads.get(TEAM, CHANNEL, THREAD_TS)
        assert mapping is not None and mapping.page_id == orphan.id
    finally:
        await store.close()
