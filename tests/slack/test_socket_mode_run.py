"""The README's start command path: a real `python -m bot run` (Socket Mode, SQLite) against the
Slack fake, its Socket Mode endpoint and the Confluence fake, all on loopback.

Proves the default deployment end to end: the app-level token opens the connection, a slash
command envelope is acked on the socket and answered through its response_url, the digest
scheduler posts with the bot token, and SIGTERM stops the process cleanly.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.store import Schedule, Store
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.server import serve
from tests.fakes.slack_fake import FakeSlack
from tests.fakes.socket_mode_fake import socket_mode_server

REPO = Path(__file__).resolve().parents[2]
SETTING_NAMES = {name.upper() for name in Settings.model_fields}
WAIT_SECONDS = 60.0
USER, CHANNEL, DIGESTS = "U0001", "C0001", "C0DIGEST"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeSlack, str, FakeConfluence, str]]:
    slack = FakeSlack()
    slack.add_user(USER, "someone", real_name="Some One")
    slack.add_channel(CHANNEL, "general", members=("UBOT", USER))
    slack.add_channel(DIGESTS, "releases", members=("UBOT",))
    confluence = FakeConfluence()
    with serve(slack.app) as slack_url, serve(confluence.app) as confluence_url:
        yield slack, slack_url, confluence, confluence_url


async def _until(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_run_serves_socket_mode_and_posts_digests(
    fakes: tuple[FakeSlack, str, FakeConfluence, str], tmp_path: Path
) -> None:
    slack, slack_url, confluence, confluence_url = fakes
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    space = confluence.add_space("ENG", "Engineering")
    confluence.add_page("ENG", "Onboarding guide", "<p>Welcome to onboarding at Acme.</p>")
    confluence.add_blogpost("ENG", "Release 1.2", created_at=now - timedelta(hours=2))

    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    store = Store.from_url(database_url)
    try:
        await store.migrate()
        due = now - timedelta(minutes=30)
        await store.subscriptions.upsert(
            team_id="T0001",
            channel_id=DIGESTS,
            space_key="ENG",
            space_id=str(space["id"]),
            schedule=Schedule("daily", due.hour, due.minute, "UTC"),
            created_by=USER,
            now=now - timedelta(days=1),
        )
    finally:
        await store.close()

    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    env |= {
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_APP_TOKEN": slack.app_token,
        "SLACK_API_URL": slack_url + "/api/",
        "MATON_API_KEY": confluence.api_key,
        "MATON_API_URL": confluence_url,
        "MATON_CTRL_URL": confluence_url,
    }
    log = tmp_path / "run.log"
    async with socket_mode_server(slack) as socket:
        with log.open("wb") as out:
            proc = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "bot", "run"),
                cwd=tmp_path,  # no .env here
                env=env,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )
        try:

            def connected() -> bool:
                assert proc.returncode is None, log.read_text()
                return socket.connected.is_set()

            await _until("the Socket Mode connection", connected)
            response_url = slack.new_response_url(slack_url)
            ack = await asyncio.wait_for(
                socket.send(
                    "slash_commands",
                    {
                        "token": "verification-token",
                        "team_id": "T0001",
                        "team_domain": "fake-workspace",
                        "channel_id": CHANNEL,
                        "channel_name": "general",
                        "user_id": USER,
                        "user_name": "someone",
                        "command": "/confluence",
                        "text": "search onboarding",
                        "api_app_id": slack.app_id,
                        "is_enterprise_install": "false",
                        "response_url": response_url,
                        "trigger_id": slack.new_trigger_id(),
                    },
                    accepts_response_payload=True,
                ),
                WAIT_SECONDS,
            )
            rid = response_url.rsplit("/", 1)[-1]

            def answered() -> bool:
                return any(r["id"] == rid for r in slack.responses)

            await _until("the search answer", answered)
            await _until("the digest", lambda: bool(slack.messages[DIGESTS]))
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout=20)
            except TimeoutError:
                proc.kill()
                await proc.wait()

    output = log.read_text()
    assert proc.returncode == 0, output
    assert "Traceback" not in output and "level=ERROR" not in output, output
    assert slack.bot_token not in output and slack.app_token not in output
    assert socket.connections == 1 and socket.refused == 0

    assert "envelope_id" in ack  # acked on the socket
    [answer] = [r["body"] for r in slack.responses if r["id"] == rid]
    assert answer["response_type"] == "ephemeral"
    assert "Onboarding guide" in json.dumps(answer)
    [opened] = slack.calls_to("apps.connections.open")
    assert opened.token == slack.app_token

    [digest] = slack.messages[DIGESTS]
    assert digest["text"] == "1 new blog post in ENG"
    assert digest["metadata"]["event_type"] == "confluence_digest"
