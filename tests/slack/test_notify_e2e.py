"""Channel notifications end to end: the app's services (store, Confluence client through the
gateway), the notify service as `run`/`serve` build it, the Slack fake on a socket and the
Confluence fake. Issue 13's "Done when": a page created, edited twice by its author within the
merge window, then commented on -> one channel message (updated in place) and one thread reply;
an unsubscribed space or a hidden page -> nothing; a restart in the middle -> nothing twice,
nothing lost."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import ChannelPacer
from bot.notify.models import NewNotifySubscription, NotifyFilters
from bot.notify.ports import EVENT_TYPE
from bot.notify.service import NotifyService
from bot.slack.notify.build import build_notify_service
from tests.slack.conftest import CHANNEL, TEAM, USER, Harness

T0 = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
ADA, BOB = "acc-ada", "acc-bob"


async def setup(harness: Harness) -> None:
    harness.slack.messages.clear()  # the Slack fake lives for the whole module
    site = harness.confluence
    site.freeze_time(T0)
    site.add_user(ADA, "Ada Lovelace")
    site.add_user(BOB, "Bob Babbage")
    site.add_connection("conn-ada", account_id=ADA)
    site.add_space("ENG", "Engineering")
    site.add_space("OPS", "Operations")
    store = harness.services.store
    await store.connections.put(
        team_id=TEAM,
        slack_user_id=USER,
        connection_id="conn-ada",
        status="active",
        atlassian_account_id=ADA,
        atlassian_name="Ada Lovelace",
    )
    await store.notify.add(
        [NewNotifySubscription(TEAM, CHANNEL, "ENG", site.space_ids_by_key["ENG"], USER)],
        now=T0 - timedelta(minutes=5),
    )


def service(harness: Harness) -> NotifyService:
    """A process's notify service, as bootstrap builds it (pacing off: the test waits on
    nothing)."""
    client = AsyncWebClient(token="xoxb-test-token", base_url=harness.slack_url + "/api/")
    return build_notify_service(harness.services, client, pacer=ChannelPacer(0))


def notifications(harness: Harness) -> list[dict[str, Any]]:
    """The channel's own notification messages (not thread replies)."""
    return [
        m
        for m in harness.slack.messages[CHANNEL]
        if (m.get("metadata") or {}).get("event_type") == EVENT_TYPE and "thread_ts" not in m
    ]


async def tick(harness: Harness, notify: NotifyService, seconds: float) -> None:
    harness.confluence.advance(seconds=seconds)
    await notify.tick(harness.confluence.now())


async def test_a_page_its_authors_edits_and_a_comment(harness: Harness) -> None:
    await setup(harness)
    site = harness.confluence
    first = service(harness)
    await tick(harness, first, 0)  # the group starts
    page = site.add_page("ENG", "Launch plan", "<p>We launch in May.</p>", author_id=ADA)["id"]
    site.add_page("OPS", "Unsubscribed space", author_id=BOB)
    hidden = site.add_page("ENG", "Board only", author_id=BOB)["id"]
    site.restrict_content(hidden, [BOB])  # Ada, whose connection reads ENG, cannot see it
    await tick(harness, first, 60)
    (top,) = notifications(harness)
    assert f"<@{USER}>" in json.dumps(top["blocks"])  # Ada is linked to this Slack user
    assert "Launch plan" in top["text"] and "Board only" not in json.dumps(notifications(harness))

    site.advance(seconds=30)
    site.edit(page, "<p>We launch in June.</p>", by=ADA, message="new date")
    await tick(harness, first, 30)
    # A restart in the middle: a new process, another owner, the same database.
    second = service(harness)
    site.advance(seconds=30)
    site.edit(page, "<p>We launch in July.</p>", by=ADA)
    site.add_footer_comment(page_id=page, body="<p>July works.</p>", author_id=BOB)
    await tick(harness, second, 30)
    await tick(harness, second, 60)
    await tick(harness, first, 0)  # the old process, still around, posts nothing again

    (top,) = notifications(harness)
    assert top.get("edited") is not None  # chat.update, in place
    text = json.dumps(top["blocks"])
    assert "Edited since: now version 3" in text and "Launch plan" in text
    claims = top["metadata"]["event_payload"]["claims"]
    assert claims == [f"1@c{page}v1", f"1@c{page}v2", f"1@c{page}v3"]
    thread = harness.slack.thread(CHANNEL, top["ts"])
    (reply,) = [m for m in thread if m["ts"] != top["ts"]]
    assert "commented on" in json.dumps(reply["blocks"]) and "July works." in json.dumps(
        reply["blocks"]
    )
    assert len(harness.slack.calls_to("chat.postMessage")) == 2
    assert len(harness.slack.calls_to("chat.update")) == 2


async def test_archived_channel_pauses_with_a_dm(harness: Harness) -> None:
    await setup(harness)
    notify = service(harness)
    await tick(harness, notify, 0)
    harness.slack.channels[CHANNEL]["is_archived"] = True
    try:
        harness.confluence.add_page("ENG", "Into the void", author_id=ADA)
        await tick(harness, notify, 60)
    finally:
        harness.slack.channels[CHANNEL]["is_archived"] = False
    (sub,) = await harness.services.store.notify.in_channel(TEAM, CHANNEL)
    assert sub.paused_reason == "channel: is_archived"
    dms = [
        call.args
        for call in harness.slack.calls_to("chat.postMessage")
        if str(call.args.get("channel", "")).startswith("D")
    ]
    assert len(dms) == 1 and "archived" in str(dms[0]["text"])
    assert NotifyFilters() == sub.filters
