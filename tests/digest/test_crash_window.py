"""A scheduler process killed (SIGKILL: no cleanup) after Slack accepted its digests and before
the database recorded them posts nothing twice: the process that takes the claims over finds
each message by its metadata mark.

Two windows at once: digests Slack answered whose records still waited for their batch (the
window batching widens), and a digest Slack stored but whose answer never reached the process.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import ChannelPacer
from bot.digest.service import DigestService, claim_key
from bot.slack.digests.poster import SlackDigestPoster
from bot.store import Schedule, Store
from tests import children
from tests.fakes.server import serve
from tests.fakes.slack_fake import FakeSlack
from tests.fakes.withhold import WithholdAnswer

from . import workers
from .conftest import Database
from .fakes import ManualClock
from .test_service import CREATED, DUE

CHANNELS = ["C0", "C1", "C2"]
WITHHELD = "C2"  # Slack stores this channel's digest; its answer never reaches the process


def withheld(scope: dict[str, Any], body: bytes) -> bool:
    return (
        scope["path"].endswith("/chat.postMessage") and f'"channel": "{WITHHELD}"'.encode() in body
    )


@pytest.fixture
def slack() -> Iterator[tuple[FakeSlack, WithholdAnswer, str]]:
    fake = FakeSlack(first_ts=int(DUE.timestamp()))  # posted from the due time on
    for channel in CHANNELS:
        fake.add_channel(channel, channel.lower())
    gate = WithholdAnswer(fake.app, withheld)
    with serve(gate) as url:
        try:
            yield fake, gate, url + "/api/"
        finally:
            gate.release()


def digests_in(fake: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [m for m in fake.messages.get(channel, []) if m.get("metadata")]


async def test_killed_between_post_and_record_nothing_is_posted_twice(
    store: Store, database: Database, slack: tuple[FakeSlack, WithholdAnswer, str]
) -> None:
    fake, gate, api = slack
    subs = [
        (
            await store.subscriptions.upsert(
                team_id="T1",
                channel_id=channel,
                space_key="ENG",
                space_id="100",
                schedule=Schedule("daily", 9, 0, "UTC"),
                created_by="U1",
                now=CREATED,
            )
        ).subscription
        for channel in CHANNELS
    ]
    process = children.context().Process(
        target=workers.tick_once, args=(database.url, database.schema, api, DUE, "doomed")
    )
    process.start()
    try:
        assert await asyncio.to_thread(gate.reached.wait, 60), "the digest never reached Slack"
    finally:
        process.kill()  # SIGKILL, as the OOM killer or a lost host would
        await asyncio.to_thread(process.join, 30)
    assert process.exitcode == -signal.SIGKILL
    gate.release()

    # Slack has all three digests; the database recorded none of them.
    assert [len(digests_in(fake, c)) for c in CHANNELS] == [1, 1, 1]
    for sub in subs:
        row = await store.deliveries.get(claim_key(sub.id, "daily:2024-05-06"))
        assert row is not None and (row.status, row.claimed_by) == ("claimed", "doomed")
    posts_before = len(fake.calls_to("chat.postMessage"))

    clock = ManualClock(DUE + timedelta(minutes=6))  # the dead process's leases ran out
    heir = DigestService(
        store,
        workers.seeded_source(DUE),
        SlackDigestPoster(
            AsyncWebClient(token=fake.bot_token, base_url=api), pacer=ChannelPacer(0)
        ),
        clock=clock,
        owner="heir",
    )
    report = await heir.tick()
    assert [r.outcome for r in report.results] == ["already_posted"] * 3
    assert len(fake.calls_to("chat.postMessage")) == posts_before
    assert [len(digests_in(fake, c)) for c in CHANNELS] == [1, 1, 1]
    for sub, channel in zip(subs, CHANNELS, strict=True):
        row = await store.deliveries.get(claim_key(sub.id, "daily:2024-05-06"))
        assert row is not None and row.status == "delivered"
        assert row.message_ts == digests_in(fake, channel)[0]["ts"]
    clock.advance(minutes=1)
    assert (await heir.tick()).due == 0  # the windows moved on with the records
