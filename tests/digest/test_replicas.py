"""Several scheduler processes on one database (SQLite file; PostgreSQL when configured) post
each period's digest exactly once, through the real Slack adapter to the Slack fake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.store import Schedule, Store
from tests import children
from tests.fakes.server import serve
from tests.fakes.slack_fake import FakeSlack

from . import workers
from .conftest import Database
from .test_service import CREATED, DUE

PROCESSES = 4
CHANNELS = [f"C{n}" for n in range(5)]


@pytest.fixture(scope="module")
def slack() -> Iterator[tuple[FakeSlack, str]]:
    fake = FakeSlack()
    for channel in CHANNELS:
        fake.add_channel(channel, channel.lower())
    with serve(fake.app) as url:
        yield fake, url + "/api/"


async def test_processes_post_each_digest_once(
    store: Store, database: Database, slack: tuple[FakeSlack, str]
) -> None:
    fake, api = slack
    fake.calls.clear()
    fake.messages.clear()
    for channel in CHANNELS:
        await store.subscriptions.upsert(
            team_id="T1",
            channel_id=channel,
            space_key="ENG",
            space_id="100",
            schedule=Schedule("daily", 9, 0, "UTC"),
            created_by="U1",
            now=CREATED,
        )
    outcomes = await children.race(
        workers.replica,
        [(database.url, database.schema, api, DUE, f"proc-{i}") for i in range(PROCESSES)],
    )
    assert all(isinstance(n, int) for n in outcomes.values()), outcomes
    assert sum(n for n in outcomes.values() if isinstance(n, int)) == len(CHANNELS)
    for channel in CHANNELS:
        digests = [m for m in fake.messages[channel] if m.get("metadata")]
        assert len(digests) == 1, (channel, digests)
        assert digests[0]["metadata"]["event_type"] == "confluence_digest"
    assert len(fake.calls_to("chat.postMessage")) == len(CHANNELS)
