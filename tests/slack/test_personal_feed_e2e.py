"""The personal DM feed end to end: Ada and Bob linked with their own connections, Carol in
Confluence but not linked in Slack; the feed service built as `run`/`serve` build it, over the
Slack fake and the Confluence fake, with a clock the test moves (Confluence's with it)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import ChannelPacer, ClaimKey
from bot.personal.feed import EVENT_TYPE, FeedService, anchor_key, watermark_key
from bot.polling import WatermarkAdvance
from bot.slack.personal.build import personal_service
from bot.slack.personal.feed_build import build_feed_service
from tests.digest.fakes import ManualClock
from tests.fakes.slack_fake import FakeSlack, validate_blocks
from tests.slack.conftest import TEAM, USER, Harness
from tests.slack.identity_harness import harness_with
from tests.slack.personal_harness import ADA, ADA_CONN, BOB, OTHER, link_ada, open_home, site

T0 = datetime(2024, 1, 10, 9, 0, 30, tzinfo=UTC)
CAROL = "557058:carol"
BOB_CONN = "conn-bob"
ADA_DM, BOB_DM = f"D{USER}", f"D{OTHER}"


def mention(account: str) -> str:
    return f'<ac:link><ri:user ri:account-id="{account}"/></ac:link>'


@pytest.fixture
async def feed(
    slack_server: tuple[FakeSlack, str], tmp_path: Path
) -> AsyncIterator[tuple[Harness, ManualClock]]:
    confluence = site()
    confluence.add_user(CAROL, "Carol Poe", "carol@example.com")
    confluence.add_connection(BOB_CONN, account_id=BOB)
    confluence.freeze_time(T0)
    async with harness_with(
        slack_server, tmp_path, confluence=confluence, maton_connection="conn-shared"
    ) as h:
        h.slack.messages.pop(ADA_DM, None)
        h.slack.messages.pop(BOB_DM, None)
        await link_ada(h)
        await h.services.store.connections.put(
            team_id=TEAM,
            slack_user_id=OTHER,
            connection_id=BOB_CONN,
            status="active",
            atlassian_account_id=BOB,
            atlassian_name="Bob Babbage",
        )
        yield h, ManualClock(T0)


def service(h: Harness, clock: ManualClock) -> FeedService:
    client = AsyncWebClient(token="xoxb-test-token", base_url=h.slack_url + "/api/")
    return build_feed_service(h.services, client, clock=clock, pacer=ChannelPacer(0))


def advance(h: Harness, clock: ManualClock, **delta: float) -> None:
    clock.advance(**delta)
    h.confluence.freeze_time(clock.now())


def dms(h: Harness, channel: str) -> list[dict[str, Any]]:
    return [m for m in h.slack.messages.get(channel, []) if m.get("metadata")]


def shown(message: dict[str, Any]) -> str:
    assert validate_blocks(message["blocks"]) == []
    return json.dumps(message["blocks"])


async def bob_acts(h: Harness, clock: ManualClock) -> dict[str, str]:
    """Bob mentions Ada on his page, comments on her page (inline too), assigns her a task;
    Ada comments on her own page; Bob mentions Carol (not linked)."""
    conf = h.confluence
    ada_page = conf.add_page("ENG", "Ada's design", "<p>The cache layer is new.</p>", author_id=ADA)
    advance(h, clock, minutes=1)
    bob_page = conf.add_page(
        "ENG",
        "Launch plan",
        f"<p>We launch Friday. {mention(ADA)} please check the numbers. {mention(CAROL)} too.</p>",
        author_id=BOB,
    )
    comment = conf.add_footer_comment(
        page_id=ada_page["id"], body="<p>Why a new cache?</p>", author_id=BOB
    )
    inline = conf.add_inline_comment(
        ada_page["id"], "<p>rename?</p>", selection="cache layer", author_id=BOB
    )
    conf.add_footer_comment(page_id=ada_page["id"], body="<p>my own note</p>", author_id=ADA)
    conf.add_task(
        bob_page["id"], f"<p>Sign off {mention(ADA)}</p>", assigned_to=ADA, created_by=BOB
    )
    return {
        "ada_page": ada_page["id"],
        "bob_page": bob_page["id"],
        "comment": comment["id"],
        "inline": inline["id"],
    }


async def test_a_gets_one_merged_dm_b_and_carol_get_nothing(
    feed: tuple[Harness, ManualClock],
) -> None:
    h, clock = feed
    first = service(h, clock)
    await first.tick(everyone=True)  # starts everyone's watermark now
    advance(h, clock, minutes=1)
    ids = await bob_acts(h, clock)
    advance(h, clock, minutes=2)
    report = await first.tick(everyone=True)
    assert {p.outcome for p in report.polled} == {"sent", "quiet"}

    (dm,) = dms(h, ADA_DM)
    text = shown(dm)
    assert "Bob Babbage" in text and "mentioned you on" in text and "Launch plan" in text
    assert "please check the numbers" in text and "@you" in text
    assert "Why a new cache?" in text and "cache layer" in text  # the inline selection
    assert "assigned you a task" in text and "Sign off" in text
    assert "my own note" not in text  # Ada's own comment
    assert dm["metadata"]["event_type"] == EVENT_TYPE
    assert dm["text"].startswith("Confluence:")
    assert len(dm["metadata"]["event_payload"]["claims"]) == 4
    assert ids["comment"] in text  # the comment's link focuses it
    assert dms(h, BOB_DM) == []  # Bob made all of it
    assert [c for c in h.slack.messages if c.startswith("D") and c not in (ADA_DM, BOB_DM)] == []

    # Bob comments again two minutes later: the same DM, updated in place.
    advance(h, clock, minutes=1)
    h.confluence.add_footer_comment(
        page_id=ids["ada_page"], body="<p>Also: tests?</p>", author_id=BOB
    )
    advance(h, clock, minutes=2)
    await first.tick(everyone=True)
    (dm,) = dms(h, ADA_DM)
    assert "Also: tests?" in shown(dm) and "Why a new cache?" in shown(dm)
    assert len(dm["metadata"]["event_payload"]["claims"]) == 5
    assert len(h.slack.calls_to("chat.update")) == 1

    # Restarted, the window polled again (its watermark lost): nothing is sent twice.
    await h.services.store.watermarks.delete([watermark_key(f"{TEAM}:{USER}")])
    advance(h, clock, minutes=1, seconds=30)
    restarted = service(h, clock)
    await restarted.tick(everyone=True)
    assert len(dms(h, ADA_DM)) == 1 and len(h.slack.calls_to("chat.update")) == 1
    assert len(h.slack.calls_to("chat.postMessage")) == 1


async def test_two_replicas_poll_each_user_once_and_send_once(
    feed: tuple[Harness, ManualClock],
) -> None:
    h, clock = feed
    one, two = service(h, clock), service(h, clock)
    await one.tick(everyone=True)
    advance(h, clock, minutes=1)
    await bob_acts(h, clock)
    advance(h, clock, minutes=2)
    h.confluence.reset_requests()
    reports = await asyncio.gather(one.tick(everyone=True), two.tick(everyone=True))
    assert sum(len(r.polled) for r in reports) == 2  # Ada and Bob, each by one replica
    assert len(dms(h, ADA_DM)) == 1
    assert h.confluence.counts("connection").keys() <= {ADA_CONN, BOB_CONN}
    # Polled again at once (the next slot has not come): no replica polls, nothing is sent.
    again = await asyncio.gather(one.tick(everyone=True), two.tick(everyone=True))
    assert sum(len(r.polled) for r in again) == 0 and len(dms(h, ADA_DM)) == 1


async def test_a_dead_connection_pauses_the_feed_and_says_so_once(
    feed: tuple[Harness, ManualClock],
) -> None:
    h, clock = feed
    feed_service = service(h, clock)
    h.confluence.expire_connection(ADA_CONN)
    await feed_service.tick(everyone=True)
    link = await h.services.store.connections.get(TEAM, USER)
    assert link is not None and link.status == "stale"
    advance(h, clock, minutes=3)
    await feed_service.tick(everyone=True)
    advance(h, clock, minutes=3)
    await feed_service.tick(everyone=True)
    told = [m for m in h.slack.messages.get(ADA_DM, []) if "paused" in m.get("text", "")]
    assert len(told) == 1 and "/confluence connect" in told[0]["text"]
    home = json.dumps(await open_home(h))
    assert "Your personal notifications are paused" in home


async def test_turned_off_kinds_are_not_sent_and_disconnect_forgets_the_feed(
    feed: tuple[Harness, ManualClock],
) -> None:
    h, clock = feed
    await h.services.store.preferences.set(TEAM, USER, {"mentions": False, "tasks": False})
    feed_service = service(h, clock)
    await feed_service.tick(everyone=True)
    advance(h, clock, minutes=1)
    await bob_acts(h, clock)
    advance(h, clock, minutes=2)
    await feed_service.tick(everyone=True)
    (dm,) = dms(h, ADA_DM)
    assert "Why a new cache?" in shown(dm) and "mentioned you" not in shown(dm)
    assert "assigned you" not in shown(dm)

    subject = f"{TEAM}:{USER}"
    await personal_service(h.services).forget(TEAM, USER)
    store = h.services.store
    assert await store.watermarks.get_many([watermark_key(subject)]) == {}
    assert await store.anchors.get_many([anchor_key(subject)]) == {}
    assert await store.deliveries.get(ClaimKey("personal-poll", subject, "poll")) is None
    await link_ada(h)


async def test_watched_pages_replies_and_tasks_due_today(
    feed: tuple[Harness, ManualClock],
) -> None:
    h, clock = feed
    conf = h.confluence
    watched = conf.add_page("ENG", "Runbook", "<p>v1</p>", author_id=BOB)["id"]
    conf.watch(watched, ADA)
    bobs = conf.add_page("ENG", "Retro", "<p>notes</p>", author_id=BOB)["id"]
    mine = conf.add_footer_comment(page_id=bobs, body="<p>I disagree</p>", author_id=ADA)["id"]
    due_today = datetime(2024, 1, 10, tzinfo=UTC)
    conf.add_task(
        bobs, "<p>Old chore</p>", assigned_to=ADA, created_by=BOB, due_at=due_today, created_at=T0
    )
    feed_service = service(h, clock)
    # Ada's watermark is from yesterday evening: today's first poll reads what is due today.
    await h.services.store.watermarks.advance(
        [WatermarkAdvance(watermark_key(f"{TEAM}:{USER}"), T0 - timedelta(hours=10))]
    )
    await h.services.store.watermarks.advance(
        [WatermarkAdvance(watermark_key(f"{TEAM}:{OTHER}"), T0)]
    )
    advance(h, clock, minutes=1)
    conf.edit(watched, "<p>v2</p>", by=BOB, message="new steps")
    conf.edit(bobs, "<p>notes, fixed</p>", by=BOB, minor_edit=True)
    conf.add_footer_comment(parent_comment_id=mine, body="<p>Why?</p>", author_id=BOB)
    conf.add_footer_comment(page_id=watched, body="<p>Step 3 is wrong</p>", author_id=CAROL)
    advance(h, clock, minutes=2)
    await feed_service.tick(everyone=True)
    (dm,) = dms(h, ADA_DM)
    text = shown(dm)
    assert "updated" in text and "Runbook" in text and "version 2" in text
    assert f"diffpagesbyversion.action?pageId={watched}" in text
    assert "selectedPageVersions=1&selectedPageVersions=2" in text
    assert "replied to your comment" in text and "Why?" in text
    assert "Carol Poe" in text and "Step 3 is wrong" in text  # a comment on a watched page
    assert "is due today" in text and "Old chore" in text
    items = [b["text"]["text"] for b in dm["blocks"] if b["type"] == "section"]
    # The task is new in the window too; Retro's minor edit is not news.
    assert sum("assigned you a task" in i for i in items) == 1 and len(items) == 5
    assert not [i for i in items if "updated" in i and "Retro" in i]
