"""Two real `python -m bot serve` processes on one database, with the Slack and Confluence fakes
on loopback: the activity both notification pollers find at start-up is posted once per channel
and event (PostgreSQL when TEST_DATABASE_URL is set; a SQLite file always)."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.notify.models import NewNotifySubscription
from bot.notify.ports import EVENT_TYPE
from bot.store import Store
from tests.children import BotProcess
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.slack_fake import FakeSlack
from tests.slack.processes import WAIT_SECONDS, bot_env, fakes_env, start, stop, until
from tests.slack.test_serve_replicas import _free_port, _healthy, database_url, fakes

__all__ = ["database_url", "fakes"]

TICK_DONE = re.compile(r"notify tick done groups=(\d+) events=(\d+) claimed=(\d+) posted=(\d+)")
CHANNELS = ("C0REPLICA", "C0SECOND")


async def seed(database_url: str, slack: FakeSlack, confluence: FakeConfluence) -> int:
    """ENG and OPS with fresh pages; C0REPLICA follows ENG, C0SECOND both: the events due."""
    now = datetime.now(UTC)
    slack.add_channel(CHANNELS[1], "second", members=("UBOT",))
    ids = {key: str(confluence.add_space(key, key.title())["id"]) for key in ("ENG", "OPS")}
    for n, key in enumerate(("ENG", "ENG", "OPS")):
        confluence.add_page(key, f"Fresh {n}", created_at=now - timedelta(seconds=40 - n))
    rows = [
        NewNotifySubscription("T0001", channel, key, ids[key], "U0001")
        for channel, key in ((CHANNELS[0], "ENG"), (CHANNELS[1], "ENG"), (CHANNELS[1], "OPS"))
    ]
    store = Store.from_url(database_url)
    try:
        await store.migrate()
        await store.notify.add(rows, now=now - timedelta(minutes=5))
    finally:
        await store.close()
    return 2 + 3


async def test_two_serve_processes_post_each_event_once(
    database_url: str,
    fakes: tuple[FakeSlack, str, FakeConfluence, str],
    tmp_path: Path,
) -> None:
    slack, slack_url, confluence, confluence_url = fakes
    expected = await seed(database_url, slack, confluence)
    env = bot_env(
        **fakes_env(slack, slack_url, confluence, confluence_url),
        DATABASE_URL=database_url,
        SLACK_SIGNING_SECRET="replica-signing-secret",
        LOG_LEVEL="DEBUG",  # for the "notify tick done" lines
    )
    ports = [_free_port(), _free_port()]
    logs = [tmp_path / f"serve-{i}.log" for i in range(2)]
    procs: list[BotProcess] = []

    def ticks(log: Path) -> list[tuple[int, ...]]:
        return [tuple(map(int, found)) for found in TICK_DONE.findall(log.read_text())]

    try:
        for port, log in zip(ports, logs, strict=True):
            procs.append(await start(["serve", "--port", str(port)], env, tmp_path, log))
        deadline = time.monotonic() + WAIT_SECONDS
        for port in ports:
            while not await _healthy(port):
                assert all(p.returncode is None for p in procs), [x.read_text() for x in logs]
                assert time.monotonic() < deadline, "serve did not become healthy"
                await asyncio.sleep(0.2)
        await until("both start-up notify ticks", lambda: all(ticks(log) for log in logs))
    finally:
        codes = [await stop(proc) for proc in procs]

    output = [log.read_text() for log in logs]
    assert codes == [0, 0], output
    for text in output:
        assert "Traceback" not in text and "level=ERROR" not in text, text
    firsts = [ticks(log)[0] for log in logs]
    assert sum(t[3] for t in firsts) == expected, firsts  # posted, over both processes
    posted = [
        m
        for channel in CHANNELS
        for m in slack.messages[channel]
        if (m.get("metadata") or {}).get("event_type") == EVENT_TYPE
    ]
    claims = [tuple(m["metadata"]["event_payload"]["claims"]) for m in posted]
    assert len(claims) == len(set(claims)) == expected
