"""Two real `python -m bot serve` processes on one database, with the Slack and Confluence fakes on
loopback: a digest both schedulers find due at start-up is posted exactly once, not dropped.

PostgreSQL (a throwaway database) when TEST_DATABASE_URL is set; a SQLite file always.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import Settings
from bot.digest.ports import EVENT_TYPE
from bot.store import Schedule, Store, normalize_url
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.server import serve
from tests.fakes.slack_fake import FakeSlack

REPO = Path(__file__).resolve().parents[2]
SETTING_NAMES = {name.upper() for name in Settings.model_fields}
CHANNEL = "C0REPLICA"
WAIT_SECONDS = 60.0
TICK_DONE = re.compile(r"digest tick done candidates=(\d+) claimed=(\d+) posted=(\d+)")


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.db'}"
        return
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("PostgreSQL replicas need TEST_DATABASE_URL")
    # `serve` reads only DATABASE_URL, so the processes get a database of their own.
    name = f"replicas_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(normalize_url(server), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
def fakes() -> Iterator[tuple[FakeSlack, str, FakeConfluence, str]]:
    slack = FakeSlack()
    slack.add_channel(CHANNEL, "releases", members=("UBOT",))
    confluence = FakeConfluence()
    with serve(slack.app) as slack_url, serve(confluence.app) as confluence_url:
        yield slack, slack_url, confluence, confluence_url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _until(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def _healthy(port: int) -> bool:
    try:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
        return response.status_code == 200
    except httpx.HTTPError:
        return False


async def test_two_serve_processes_post_a_due_digest_once(
    database_url: str,
    fakes: tuple[FakeSlack, str, FakeConfluence, str],
    tmp_path: Path,
) -> None:
    slack, slack_url, confluence, confluence_url = fakes
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    confluence.add_user("acc-ada", "Ada Lovelace")
    space = confluence.add_space("ENG", "Engineering")
    confluence.add_blogpost(
        "ENG", "Release 1.2", author_id="acc-ada", created_at=now - timedelta(hours=2)
    )

    # Due half an hour ago and never delivered: both schedulers' start-up ticks find it due.
    due = now - timedelta(minutes=30)
    store = Store.from_url(database_url)
    try:
        await store.migrate()
        await store.subscriptions.upsert(
            team_id="T0001",
            channel_id=CHANNEL,
            space_key="ENG",
            space_id=str(space["id"]),
            schedule=Schedule("daily", due.hour, due.minute, "UTC"),
            created_by="U0001",
            now=now - timedelta(days=1),
        )
    finally:
        await store.close()

    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    env |= {
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "replica-signing-secret",
        "SLACK_API_URL": slack_url + "/api/",
        "MATON_API_KEY": confluence.api_key,
        "MATON_API_URL": confluence_url,
        "MATON_CTRL_URL": confluence_url,
        "LOG_LEVEL": "DEBUG",
    }
    ports = [_free_port(), _free_port()]
    logs = [tmp_path / f"serve-{i}.log" for i in range(2)]
    procs: list[asyncio.subprocess.Process] = []
    try:
        for port, log in zip(ports, logs, strict=True):
            with log.open("wb") as out:
                procs.append(
                    await asyncio.create_subprocess_exec(
                        *(sys.executable, "-m", "bot", "serve", "--port", str(port)),
                        cwd=tmp_path,  # no .env here
                        env=env,
                        stdout=out,
                        stderr=asyncio.subprocess.STDOUT,
                    )
                )

        def alive() -> None:
            for proc, log in zip(procs, logs, strict=True):
                assert proc.returncode is None, log.read_text()

        for port in ports:
            deadline = time.monotonic() + WAIT_SECONDS
            while not await _healthy(port):
                alive()
                assert time.monotonic() < deadline, "serve did not become healthy"
                await asyncio.sleep(0.2)

        def ticks(log: Path) -> list[tuple[int, int, int]]:
            found = TICK_DONE.findall(log.read_text())
            return [(int(a), int(b), int(c)) for a, b, c in found]

        def both_ticked() -> bool:
            alive()
            return all(ticks(log) for log in logs)

        await _until("both start-up ticks", both_ticked)
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), timeout=20)
            except TimeoutError:
                proc.kill()
                await proc.wait()

    output = [log.read_text() for log in logs]
    assert [proc.returncode for proc in procs] == [0, 0], output
    for text in output:
        assert "Traceback" not in text and "xoxb-test-token" not in text, text
        assert "level=WARNING" not in text and "level=ERROR" not in text, text

    first_ticks = [ticks_found[0] for ticks_found in (TICK_DONE.findall(t) for t in output)]
    # Both saw it due (or one saw it already delivered); exactly one posted it.
    assert sorted(int(posted) for _, _, posted in first_ticks) == [0, 1], first_ticks
    posts = [c for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == CHANNEL]
    assert len(posts) == 1
    [digest] = [m for m in slack.messages[CHANNEL] if m.get("metadata")]
    assert digest["metadata"]["event_type"] == EVENT_TYPE
    assert digest["text"] == "1 new blog post in ENG"

    store = Store.from_url(database_url)
    try:
        [sub] = await store.subscriptions.list_by_channel("T0001", CHANNEL)
        assert sub.last_delivered_at is not None and sub.last_delivered_at >= due
    finally:
        await store.close()
