"""Two real `python -m bot serve` processes on one database, with the Slack and Confluence fakes on
loopback: a digest both schedulers find due at start-up is posted exactly once, not dropped; and
the channel notifications both pollers find at start-up are posted once per channel and event
(issue 13; one pair of processes for both, to keep the suite fast).

PostgreSQL (a throwaway database) when TEST_DATABASE_URL is set; a SQLite file always.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.digest.ports import EVENT_TYPE
from bot.notify.models import NewNotifySubscription
from bot.notify.ports import EVENT_TYPE as NOTIFY_EVENT_TYPE
from bot.store import Store, normalize_url
from tests.children import BotProcess
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.server import serve
from tests.fakes.slack_fake import FakeSlack
from tests.slack.processes import (
    WAIT_SECONDS,
    bot_env,
    fakes_env,
    seed_due_digest,
    start,
    stop,
    until,
)

CHANNEL = "C0REPLICA"
TICK_DONE = re.compile(r"digest tick done candidates=(\d+) claimed=(\d+) posted=(\d+)")
NOTIFY_DONE = re.compile(r"notify tick done groups=(\d+) events=(\d+) claimed=(\d+) posted=(\d+)")
NOTIFY_CHANNELS = (CHANNEL, "C0SECOND", "C0THIRD")


def notify_ticks(log: Path) -> list[tuple[int, ...]]:
    return [tuple(map(int, found)) for found in NOTIFY_DONE.findall(log.read_text())]


async def seed_notifications(
    database_url: str, slack: FakeSlack, confluence: FakeConfluence
) -> int:
    """A fresh page in ENG (made by the digest's seed) and one in OPS; two channels follow ENG,
    one OPS (one message per channel: Slack's pacing does not slow the test). How many
    notifications are due."""
    now = datetime.now(UTC)
    for channel in NOTIFY_CHANNELS[1:]:
        slack.add_channel(channel, channel.lower(), members=("UBOT",))
    confluence.add_space("OPS", "Operations")
    ids = dict(confluence.space_ids_by_key)
    for n, key in enumerate(("ENG", "OPS")):
        confluence.add_page(key, f"Fresh {n}", created_at=now - timedelta(seconds=40 - n))
    follows = (
        (NOTIFY_CHANNELS[0], "ENG"),
        (NOTIFY_CHANNELS[1], "ENG"),
        (NOTIFY_CHANNELS[2], "OPS"),
    )
    rows = [NewNotifySubscription("T0001", c, key, str(ids[key]), "U0001") for c, key in follows]
    store = Store.from_url(database_url)
    try:
        await store.notify.add(rows, now=now - timedelta(minutes=5))
    finally:
        await store.close()
    return 3


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
    await seed_due_digest(database_url, confluence, CHANNEL, now)
    notifications = await seed_notifications(database_url, slack, confluence)
    env = bot_env(
        **fakes_env(slack, slack_url, confluence, confluence_url),
        DATABASE_URL=database_url,
        SLACK_SIGNING_SECRET="replica-signing-secret",
        LOG_LEVEL="DEBUG",  # for the "digest tick done" lines
        # A Slack session left open at shutdown would say so (an error in its finalizer).
        PYTHONWARNINGS="error::ResourceWarning",
    )
    ports = [_free_port(), _free_port()]
    logs = [tmp_path / f"serve-{i}.log" for i in range(2)]
    procs: list[BotProcess] = []

    def ticks(log: Path) -> list[tuple[int, int, int]]:
        found = TICK_DONE.findall(log.read_text())
        return [(int(a), int(b), int(c)) for a, b, c in found]

    try:
        for port, log in zip(ports, logs, strict=True):
            procs.append(await start(["serve", "--port", str(port)], env, tmp_path, log))

        def alive() -> None:
            for proc, log in zip(procs, logs, strict=True):
                assert proc.returncode is None, log.read_text()

        deadline = time.monotonic() + WAIT_SECONDS
        for port in ports:
            while not await _healthy(port):
                alive()
                assert time.monotonic() < deadline, "serve did not become healthy"
                await asyncio.sleep(0.2)

        def both_ticked() -> bool:
            alive()
            return all(ticks(log) for log in logs)

        await until("both start-up ticks", both_ticked)
        await until("both start-up notify ticks", lambda: all(notify_ticks(log) for log in logs))
    finally:
        codes = [await stop(proc) for proc in procs]

    output = [log.read_text() for log in logs]
    assert codes == [0, 0], output
    for text in output:
        assert "Traceback" not in text and slack.bot_token not in text, text
        assert "level=WARNING" not in text and "level=ERROR" not in text, text
        assert "Unclosed" not in text, text

    first_ticks = [ticks(log)[0] for log in logs]
    # Both saw it due; exactly one claimed and posted it.
    assert sorted(posted for _, _, posted in first_ticks) == [0, 1], first_ticks
    [digest] = [
        m
        for m in slack.messages[CHANNEL]
        if (m.get("metadata") or {}).get("event_type") == EVENT_TYPE
    ]
    assert digest["metadata"]["event_type"] == EVENT_TYPE
    # Notifications: posted once each, over both processes.
    firsts = [notify_ticks(log)[0] for log in logs]
    assert sum(t[3] for t in firsts) == notifications, firsts
    claims = [
        tuple(m["metadata"]["event_payload"]["claims"])
        for channel in NOTIFY_CHANNELS
        for m in slack.messages[channel]
        if (m.get("metadata") or {}).get("event_type") == NOTIFY_EVENT_TYPE
    ]
    assert len(claims) == len(set(claims)) == notifications
    assert digest["text"] == "1 new blog post in ENG"

    store = Store.from_url(database_url)
    try:
        [sub] = await store.subscriptions.list_by_channel("T0001", CHANNEL)
        assert sub.last_delivered_at is not None
        assert sub.last_delivered_at >= now - timedelta(minutes=30)
    finally:
        await store.close()
