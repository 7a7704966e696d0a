"""Digests end to end: signed slash commands and actions through the real HTTP app, the Slack
fake on a socket and the Confluence fake behind the real client and adapters."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import ChannelPacer
from bot.digest.ports import EVENT_TYPE
from bot.digest.service import DigestService, claim_key
from bot.slack.caller import Caller
from bot.slack.digests.build import build_digest_service
from bot.slack.digests.home import UNSUBSCRIBE_ACTION, home_blocks
from bot.store import Schedule
from tests.digest.fakes import ManualClock
from tests.slack.conftest import CHANNEL, TEAM, USER, Harness

NOW = datetime.now(UTC).replace(microsecond=0)


def seed(harness: Harness) -> None:
    harness.slack.messages.clear()  # the Slack fake lives for the whole module
    conf = harness.confluence
    conf.add_user("acc-ada", "Ada Lovelace")
    conf.add_space("ENG", "Engineering")
    conf.add_space("OPS", "Operations")
    conf.add_blogpost(
        "ENG",
        "Release 1.2 is out",
        "<p>We shipped <strong>faster</strong> search.</p>",
        author_id="acc-ada",
        created_at=NOW - timedelta(hours=2),
    )
    conf.add_blogpost("OPS", "On-call rota", "<p>New rota.</p>", created_at=NOW - timedelta(days=1))
    conf.add_blogpost("ENG", "Ancient", "<p>old</p>", created_at=NOW - timedelta(days=30))


def digests_in(harness: Harness, channel: str) -> list[dict[str, object]]:
    return [m for m in harness.slack.messages[channel] if m.get("metadata")]


async def test_subscribe_list_now_unsubscribe(harness: Harness) -> None:
    seed(harness)
    _, url = await harness.command("digest subscribe eng weekdays at 8:30")
    answer = harness.answer_text(url)
    assert "ENG" in answer and "every weekday at 08:30 (Europe/Berlin)" in answer
    [sub] = await harness.services.store.subscriptions.list_by_channel(TEAM, CHANNEL)
    assert sub.schedule == Schedule("weekdays", 8, 30, "Europe/Berlin")
    assert sub.space_id == harness.confluence.space_ids_by_key["ENG"]
    assert sub.created_by == USER

    _, url = await harness.command("digest subscribe ENG daily at 07:00")  # re-subscribe
    assert "(updated)" in harness.answer_text(url)
    [sub] = await harness.services.store.subscriptions.list_by_channel(TEAM, CHANNEL)
    assert sub.schedule == Schedule("daily", 7, 0, "Europe/Berlin")

    _, url = await harness.command("digest list")
    listing = harness.answer_text(url)
    assert "every day at 07:00 (Europe/Berlin)" in listing and f"<@{USER}>" in listing
    assert "<!date^" in listing  # next run, shown in each reader's time zone

    _, url = await harness.command("digest now")
    assert "Posted the digest for ENG (1 new blog post)" in harness.answer_text(url)
    [digest] = digests_in(harness, CHANNEL)
    assert digest["text"] == "1 new blog post in ENG"
    blocks = json.dumps(digest["blocks"])
    assert "Release 1.2 is out" in blocks and "Ada Lovelace" in blocks and "Ancient" not in blocks
    assert "https://acme.atlassian.net/wiki/spaces/ENG/blog" in blocks
    assert digest["metadata"]["event_type"] == EVENT_TYPE  # type: ignore[index]
    post_call = harness.slack.calls_to("chat.postMessage")[-1]
    assert post_call.warnings == []  # fallback text present, blocks valid

    _, url = await harness.command("digest now")
    assert "Nothing new in ENG" in harness.answer_text(url)
    assert len(digests_in(harness, CHANNEL)) == 1

    _, url = await harness.command("digest unsubscribe ENG,OPS")
    text = harness.answer_text(url)
    assert "Unsubscribed this channel from ENG" in text and "wasn't subscribed to OPS" in text
    assert await harness.services.store.subscriptions.list_by_channel(TEAM, CHANNEL) == []


async def test_now_after_a_failed_post_does_what_the_answer_said(harness: Harness) -> None:
    seed(harness)
    await harness.command("digest subscribe ENG")
    harness.slack.fail("chat.postMessage", "fatal_error")
    _, url = await harness.command("digest now")
    first = harness.answer_text(url)
    assert "Couldn't post the digest for ENG" in first and "`/confluence digest now` again" in first
    assert digests_in(harness, CHANNEL) == []
    # As the answer says: running it again (at once, inside the backoff) posts it.
    _, url = await harness.command("digest now")
    again = harness.answer_text(url)
    assert "Posted the digest for ENG" in again and "right now" not in again
    assert len(digests_in(harness, CHANNEL)) == 1


async def test_one_unknown_space_key_is_said_plainly_and_quoted_once(harness: Harness) -> None:
    seed(harness)
    _, url = await harness.command("digest subscribe NOPE")
    (answer,) = harness.answers(url)
    assert answer["text"].count("NOPE") == 1
    assert "There's no space `NOPE`, or you can't see it." in answer["text"]


async def test_removing_the_only_subscription_counts_right(harness: Harness) -> None:
    seed(harness)
    await harness.command("digest subscribe ENG")
    _, url = await harness.command("digest unsubscribe all")
    text = harness.answers(url)[0]["text"]
    assert "Removed the digest subscription of this channel (ENG)" in text
    assert "all 1" not in text


async def test_unknown_space_keys_are_named(harness: Harness) -> None:
    seed(harness)
    _, url = await harness.command("digest subscribe ENG,NOPE,ZZZ")
    text = harness.answer_text(url)
    assert "`NOPE`" in text and "`ZZZ`" in text and "`ENG`" not in text
    assert await harness.services.store.subscriptions.list_all() == []


async def test_joins_public_channel_and_asks_invite_for_private(harness: Harness) -> None:
    seed(harness)
    _, url = await harness.command("digest subscribe ENG", channel_id="C0999")
    assert "every day at 09:00" in harness.answer_text(url)
    assert [c.args["channel"] for c in harness.slack.calls_to("conversations.join")] == ["C0999"]

    harness.slack.add_channel("G0001", "secret", is_private=True, members=(USER,))
    _, url = await harness.command("digest subscribe ENG", channel_id="G0001")
    assert "/invite @Confluence" in harness.answer_text(url)
    subs = await harness.services.store.subscriptions.list_all()
    assert [s.channel_id for s in subs] == ["C0999"]


async def test_parse_errors_help_and_unsubscribe_all(harness: Harness) -> None:
    seed(harness)
    _, url = await harness.command("digest subscribe ENG at 25:00")
    assert "isn't a valid time" in harness.answer_text(url)
    _, url = await harness.command("digest")
    assert "digest subscribe" in harness.answer_text(url)
    await harness.command("digest subscribe ENG,OPS")
    _, url = await harness.command("digest unsubscribe all")
    assert "Removed all 2 digest subscriptions" in harness.answer_text(url)
    _, url = await harness.command("digest now")
    assert "no active digests" in harness.answer_text(url)


async def test_only_creator_admin_or_linked_member_may_remove_a_digest(harness: Harness) -> None:
    seed(harness)
    harness.slack.add_user("U0003", "admin", is_admin=True)
    harness.slack.add_user("U0004", "linked")
    await harness.command("digest subscribe ENG,OPS")  # set up by USER

    # Another member, not linked: refused, and told who may.
    for text in ("digest unsubscribe ENG", "digest unsubscribe all"):
        _, url = await harness.command(text, user_id="U0002")
        answer = harness.answer_text(url)
        assert f"<@{USER}>" in answer and "workspace admin" in answer
        assert "/confluence connect" in answer  # optional mode: linking is a way in
    # Nor may they take a digest over by subscribing to it again.
    _, url = await harness.command("digest subscribe ENG weekly mon", user_id="U0002")
    assert "workspace admin" in harness.answer_text(url)
    subs = await harness.services.store.subscriptions.list_by_channel(TEAM, CHANNEL)
    assert sorted(s.space_key for s in subs) == ["ENG", "OPS"]
    assert {s.created_by for s in subs} == {USER}
    assert {s.schedule.kind for s in subs} == {"daily"}

    # A member with their own Confluence connection may (optional mode).
    harness.confluence.add_connection("conn-4", account_id="acc-4")
    await harness.services.store.connections.put(
        team_id=TEAM, slack_user_id="U0004", connection_id="conn-4", status="active"
    )
    _, url = await harness.command("digest unsubscribe OPS", user_id="U0004")
    assert "Unsubscribed this channel from OPS" in harness.answer_text(url)
    # A workspace admin may.
    _, url = await harness.command("digest unsubscribe all", user_id="U0003")
    assert "Removed the digest subscription of this channel (ENG)" in harness.answer_text(url)
    assert await harness.services.store.subscriptions.list_by_channel(TEAM, CHANNEL) == []


async def test_app_home_lists_own_digests_with_unsubscribe(harness: Harness) -> None:
    seed(harness)
    await harness.command("digest subscribe ENG")
    await harness.command("digest subscribe OPS", user_id="U0002")
    blocks = await home_blocks(harness.services, Caller(USER, TEAM, USER))
    buttons = [b["accessory"] for b in blocks if b.get("accessory")]
    assert len(buttons) == 1 and buttons[0]["action_id"] == UNSUBSCRIBE_ACTION
    [mine] = await harness.services.store.subscriptions.list_by_creator(TEAM, USER)
    assert buttons[0]["value"] == str(mine.id)

    [theirs] = await harness.services.store.subscriptions.list_by_creator(TEAM, "U0002")
    await harness.action(UNSUBSCRIBE_ACTION, str(theirs.id))  # not the owner: refused
    await harness.action(UNSUBSCRIBE_ACTION, str(mine.id))
    remaining = await harness.services.store.subscriptions.list_all()
    assert [s.id for s in remaining] == [theirs.id]
    assert USER in harness.slack.home_views  # App Home re-published without it
    assert "Your digests" not in json.dumps(harness.slack.home_views[USER])


async def test_app_home_shows_every_section_in_its_place(harness: Harness) -> None:
    seed(harness)
    await harness.command("digest subscribe ENG")
    await harness.event(
        {"type": "app_home_opened", "user": USER, "channel": "D0001", "tab": "home"}
    )
    view = harness.slack.home_views[USER]
    blocks = [json.dumps(block) for block in view["blocks"]]

    def where(words: str) -> int:
        return next(n for n, block in enumerate(blocks) if words in block)

    assert where("Confluence for Slack") == 0
    assert (
        where("Connected to <https://acme.atlassian.net")  # status
        < where("Your Confluence account")  # the identity section
        < where("What you can do")  # the shortcuts
        < where("Your digests")  # the digests this user set up
        < where(UNSUBSCRIBE_ACTION)
    )


# ---------------------------------------------------------------- the scheduled path, real adapters


def scheduled(harness: Harness, clock: ManualClock) -> DigestService:
    client = AsyncWebClient(token="xoxb-test-token", base_url=harness.slack_url + "/api/")
    return build_digest_service(harness.services, client, clock=clock, pacer=ChannelPacer(0))


async def subscribe_many(harness: Harness, channels: list[str], key: str) -> None:
    store = harness.services.store
    for channel in channels:
        harness.slack.add_channel(channel, channel.lower())
        await store.subscriptions.upsert(
            team_id=TEAM,
            channel_id=channel,
            space_key=key,
            space_id=harness.confluence.space_ids_by_key[key],
            schedule=Schedule("daily", 9, 0, "UTC"),
            created_by=USER,
            now=NOW - timedelta(days=3),
        )


def due_clock() -> ManualClock:
    due = NOW.replace(hour=9, minute=0, second=0)
    return ManualClock(due + timedelta(seconds=10) if due <= NOW else due - timedelta(days=1))


async def test_scheduled_tick_fetches_each_space_once(harness: Harness) -> None:
    seed(harness)
    channels = [f"CD{n}" for n in range(8)]
    await subscribe_many(harness, channels, "ENG")
    await subscribe_many(harness, channels[:3], "OPS")
    harness.confluence.requests.clear()
    clock = due_clock()
    report = await scheduled(harness, clock).tick()
    assert report.posted == 8
    blog_lists = harness.confluence.requests_to("GET", r"/blogposts$")
    assert len(blog_lists) == 1
    assert sorted(blog_lists[0].query["space-id"][0].split(",")) == sorted(
        harness.confluence.space_ids_by_key[k] for k in ("ENG", "OPS")
    )
    assert len(harness.confluence.requests_to("GET", r"/spaces$")) == 1
    assert len(harness.confluence.requests_to("POST", r"/users-bulk$")) <= 1
    for channel in channels:
        assert len(digests_in(harness, channel)) == 1


async def test_rate_limited_post_waits_retry_after_and_posts_once(harness: Harness) -> None:
    from bot.slack.app import web_client

    seed(harness)
    await subscribe_many(harness, ["CRL"], "ENG")
    harness.slack.rate_limit("chat.postMessage", retry_after=1)
    # The production client: slack_sdk's rate-limit retry handler honours Retry-After.
    client = web_client(harness.services.settings)
    service = build_digest_service(harness.services, client, clock=due_clock())
    report = await service.tick()
    assert report.posted == 1
    first, second = [
        c for c in harness.slack.calls_to("chat.postMessage") if c.args["channel"] == "CRL"
    ]
    assert second.at - first.at >= 1.0  # waited as told, then posted
    assert len(digests_in(harness, "CRL")) == 1


async def test_confluence_down_then_retried(harness: Harness) -> None:
    seed(harness)
    await subscribe_many(harness, ["CX1"], "ENG")
    harness.confluence.fail(r"/blogposts$", 503)
    clock = due_clock()
    service = scheduled(harness, clock)
    report = await service.tick()
    assert [r.outcome for r in report.results] == ["retry"]
    assert digests_in(harness, "CX1") == []
    clock.advance(minutes=3)  # past the first backoff (1 min + jitter)
    assert (await service.tick()).posted == 1
    assert len(digests_in(harness, "CX1")) == 1


async def test_expired_claim_finds_the_message_already_posted(harness: Harness) -> None:
    seed(harness)
    await subscribe_many(harness, ["CX2"], "ENG")
    clock = due_clock()
    [sub] = await harness.services.store.subscriptions.list_by_channel(TEAM, "CX2")
    period = f"daily:{clock.now():%Y-%m-%d}"
    claims = await harness.services.store.deliveries.claim(
        [claim_key(sub.id, period)], "dead", 300, clock.now()
    )
    assert claims
    harness.slack.add_message(
        "CX2",
        {
            "user": "UBOT",
            "bot_id": "B0001",
            "text": "1 new blog post in ENG",
            "ts": f"{clock.now().timestamp() + 1:.6f}",
            # As digests have always marked themselves (a process before an upgrade, too).
            "metadata": {
                "event_type": EVENT_TYPE,
                "event_payload": {"claims": [f"{sub.id}@{period}"]},
            },
        },
    )
    clock.advance(minutes=6)
    report = await scheduled(harness, clock).tick()
    assert [r.outcome for r in report.results] == ["already_posted"]
    assert harness.slack.calls_to("chat.postMessage") == []
    history = harness.slack.calls_to("conversations.history")
    assert history and history[0].args.get("include_all_metadata") in (True, "true", "1")


@pytest.mark.parametrize("archived", [True, False])
async def test_archived_or_removed_channel_pauses_and_dms_creator(
    harness: Harness, archived: bool
) -> None:
    seed(harness)
    await subscribe_many(harness, ["CX3"], "ENG")
    if archived:
        harness.slack.channels["CX3"]["is_archived"] = True
    else:
        harness.slack.members["CX3"].discard("UBOT")
    report = await scheduled(harness, due_clock()).tick()
    assert [r.outcome for r in report.results] == ["paused"]
    [sub] = await harness.services.store.subscriptions.list_by_channel(TEAM, "CX3")
    assert sub.paused
    dm = [m for m in harness.slack.messages[f"D{USER}"]]
    assert len(dm) == 1 and "<#CX3>" in str(dm[0]["text"])
    assert ("archived" if archived else "removed") in str(dm[0]["text"])


async def test_deleted_space_pauses_and_tells_creator(harness: Harness) -> None:
    seed(harness)
    await subscribe_many(harness, ["CX4"], "ENG")
    space_id = harness.confluence.space_ids_by_key["ENG"]
    del harness.confluence.spaces[space_id]
    report = await scheduled(harness, due_clock()).tick()
    assert [r.outcome for r in report.results] == ["paused"]
    assert "no longer exists" in str(harness.slack.messages[f"D{USER}"][0]["text"])


async def test_bootstrap_scheduler_runs_the_tick(harness: Harness) -> None:
    from bot.bootstrap import build_jobs

    seed(harness)
    harness.slack.add_channel("CX5", "cx5")
    due = datetime.now(UTC) - timedelta(minutes=5)  # missed a moment ago: due at the first tick
    await harness.services.store.subscriptions.upsert(
        team_id=TEAM,
        channel_id="CX5",
        space_key="ENG",
        space_id=harness.confluence.space_ids_by_key["ENG"],
        schedule=Schedule("daily", due.hour, due.minute, "UTC"),
        created_by=USER,
        now=due - timedelta(days=1),
    )
    # No client given: the scheduler builds its own, with the bot token from the settings.
    scheduler = build_jobs(harness.services, digest_seconds=0.05)
    scheduler.start()
    try:
        async with asyncio.timeout(5):
            await scheduler.until_ticks("digest_tick", 3)
    finally:
        await scheduler.shutdown()
    assert len(digests_in(harness, "CX5")) == 1  # posted at the first tick, never again
    assert not scheduler.running
