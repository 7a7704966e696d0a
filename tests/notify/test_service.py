"""The notify service's rounds over the Confluence fake and a real store: what is posted where,
once; what is read, how often; pauses."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.delivery import ChannelUnavailable, PostFailed
from bot.notify.models import NotifyFilters
from tests.notify.harness import ADA, BOB, EVE, T0, Crash, Notify

MINUTE = timedelta(minutes=1)


def blocks(message: object) -> str:
    return json.dumps(message.blocks)  # type: ignore[attr-defined]


async def test_a_new_page_is_posted_once(notify: Notify) -> None:
    await notify.subscribe("C1", "ENG", at=T0 - MINUTE)
    notify.identities.slack_of[BOB] = "U0BOB"
    notify.site.advance(seconds=20)
    page = notify.site.add_page("ENG", "Deploy guide", "<p>How we ship</p>", author_id=BOB)["id"]
    await notify.tick(after=timedelta(seconds=30))
    (message,) = notify.poster.in_channel("C1")
    assert "New page" in message.text and "Deploy guide" in blocks(message)
    assert "<@U0BOB>" in blocks(message) and ">How we ship" in blocks(message)
    assert message.metadata["event_payload"]["claims"] == [f"1@c{page}v1"]
    for _ in range(3):  # the overlapping windows see it again: claimed once
        await notify.tick(after=MINUTE)
    assert len(notify.poster.messages) == 1


async def test_edits_by_one_author_fold_into_one_message_and_a_comment_replies(
    notify: Notify,
) -> None:
    await notify.subscribe("C1", "ENG", at=T0 - MINUTE)
    site = notify.site
    page = site.add_page("ENG", "Plan", author_id=ADA)["id"]
    await notify.tick(after=MINUTE)
    site.advance(seconds=30)
    site.edit(page, "<p>two</p>", by=ADA, message="second")
    await notify.tick(after=MINUTE)
    site.advance(seconds=30)
    site.edit(page, "<p>three</p>", by=ADA)
    site.add_footer_comment(page_id=page, body="<p>Nice plan</p>", author_id=BOB)
    await notify.tick(after=MINUTE)
    (top,) = notify.poster.in_channel("C1")
    assert top.edits == 2 and "Edited since: now version 3" in blocks(top)
    assert top.metadata["event_payload"]["claims"] == [f"1@c{page}v{n}" for n in (1, 2, 3)]
    (reply,) = notify.poster.replies("C1", top.ts)
    assert "commented on" in blocks(reply) and ">Nice plan" in blocks(reply)
    # Past the merge window, Ada's next edit is a reply with its diff from version 3.
    site.advance(minutes=6)
    site.edit(page, "<p>four</p>", by=ADA, message="later")
    await notify.tick(after=MINUTE)
    later = notify.poster.replies("C1", top.ts)[-1]
    assert "(version 4)" in blocks(later) and "selectedPageVersions=3" in blocks(later)


async def test_only_what_the_subscriber_sees_and_subscribed_to(notify: Notify) -> None:
    await notify.subscribe("C1", "ENG", at=T0 - MINUTE)
    site = notify.site
    site.add_page("OPS", "Elsewhere", author_id=BOB)  # a space nobody here follows
    hidden = site.add_page("ENG", "Secret", author_id=BOB)["id"]
    site.restrict_content(hidden, [BOB])
    site.add_page("SEC", "Also secret", author_id=EVE)
    await notify.tick(after=MINUTE)
    assert notify.poster.messages == []


async def test_filters_pick_each_channels_events(notify: Notify) -> None:
    site = notify.site
    root = site.add_page("ENG", "Runbooks", created_at=T0 - timedelta(days=1))["id"]
    await notify.subscribe("CALL", "ENG", at=T0 - MINUTE)
    await notify.subscribe("CRUN", "ENG", filters=NotifyFilters(under_page_id=root), at=T0 - MINUTE)
    await notify.subscribe("CLAB", "ENG", filters=NotifyFilters(label="howto"), at=T0 - MINUTE)
    await notify.subscribe(
        "CMAJ",
        "ENG",
        filters=NotifyFilters(edits="major", kinds=frozenset({"page"})),
        at=T0 - MINUTE,
    )
    old = site.add_page("ENG", "Old", created_at=T0 - timedelta(days=2))["id"]
    site.add_label(old, "howto")
    child = site.add_page("ENG", "Restart db", parent_id=root, author_id=BOB)["id"]
    site.edit(old, "<p>typo</p>", by=BOB, minor_edit=True)
    site.add_footer_comment(page_id=old, body="<p>?</p>", author_id=BOB)
    site.add_blogpost("ENG", "News", author_id=BOB)
    await notify.tick(after=MINUTE)

    def titles(channel: str) -> list[str]:
        return sorted(m.text for m in notify.poster.messages if m.channel == channel)

    assert len(titles("CALL")) == 4
    assert titles("CRUN") == ["New page Restart db by Bob Babbage"]
    assert titles("CLAB") == ["Bob Babbage commented on Old", "Bob Babbage updated Old (version 2)"]
    assert titles("CMAJ") == ["New page Restart db by Bob Babbage"]
    assert child


async def test_a_round_reads_each_identitys_spaces_once(notify: Notify) -> None:
    for n in range(6):
        await notify.subscribe(f"C{n}", "ENG" if n % 2 else "OPS", at=T0 - MINUTE)
    await notify.subscribe("CB", "ENG", owner="UBOB", at=T0 - MINUTE)
    await notify.tick(after=MINUTE)
    notify.site.reset_requests()
    for n in range(5):
        notify.site.add_page("ENG", f"P{n}", author_id=BOB)
    await notify.tick(after=MINUTE)
    searches = notify.site.requests_to("GET", r"/rest/api/search$")
    assert sorted(r.connection for r in searches) == [f"conn-{ADA}", f"conn-{BOB}"]
    assert len(notify.site.requests) == 2  # spaces are checked every 10 minutes, zones hourly
    assert len(notify.poster.messages) == 5 * 3 + 5


async def test_a_deleted_space_and_a_lost_identity_pause_with_one_dm(notify: Notify) -> None:
    eng = await notify.subscribe("C1", "ENG", at=T0 - MINUTE)
    ops = await notify.subscribe("C1", "OPS", owner="UBOB", at=T0 - MINUTE)
    await notify.tick(after=MINUTE)
    notify.site.delete_space("ENG")
    del notify.identities.connections["UBOB"]
    await notify.tick(after=timedelta(minutes=11))
    assert sorted(notify.poster.told) == [
        ("UADA", "space deleted", ("ENG",), "C1"),
        ("UBOB", "confluence access lost", ("OPS",), "C1"),
    ]
    paused = {s.id: s.paused_reason for s in await notify.store.notify.in_channel("T1", "C1")}
    assert paused == {eng.id: "space deleted", ops.id: "confluence access lost"}
    await notify.tick(after=MINUTE)
    assert len(notify.poster.told) == 2


async def test_a_channel_slack_refuses_pauses_and_holds_its_deliveries(notify: Notify) -> None:
    sub = await notify.subscribe("C1", "ENG", at=T0 - MINUTE)
    notify.site.add_page("ENG", "One")
    notify.site.add_page("ENG", "Two")
    notify.poster.fail(ChannelUnavailable("is_archived"))
    await notify.tick(after=MINUTE)
    assert notify.poster.told == [("UADA", "channel: is_archived", ("ENG",), "C1")]
    (stored,) = await notify.store.notify.in_channel("T1", "C1")
    assert stored.paused_reason == "channel: is_archived" and stored.id == sub.id
    assert notify.poster.calls.count("post") == 1  # the second page was not tried


async def test_a_failed_post_is_retried_and_the_watermark_waits_for_it(notify: Notify) -> None:
    await notify.subscribe("C1", "ENG", at=T0 - MINUTE)
    notify.site.add_page("ENG", "Flaky")
    notify.poster.fail(PostFailed("ratelimited", retry_after=30))
    await notify.tick(after=MINUTE)
    assert notify.poster.messages == []
    await notify.tick(after=timedelta(seconds=30))  # inside the backoff: nothing
    assert notify.poster.messages == []
    for _ in range(5):  # far past the overlap: still read, and posted once the retry is due
        await notify.tick(after=MINUTE)
    assert len(notify.poster.messages) == 1


async def test_a_long_outage_is_summarised_not_replayed(notify: Notify) -> None:
    await notify.subscribe("C1", "ENG", at=T0 - MINUTE)
    await notify.tick(after=MINUTE)
    for n in range(3):
        notify.site.add_page("ENG", f"While away {n}")
        notify.site.advance(hours=1)
    notify.site.advance(hours=30)
    notify.site.add_page("ENG", "Fresh")
    await notify.tick(after=MINUTE)
    texts = [m.text for m in notify.poster.in_channel("C1")]
    assert texts == [
        "3 changes in ENG were not posted one by one",
        "New page Fresh by *Atlassian bot*",
    ] or (len(texts) == 2 and texts[0].startswith("3 changes"))
    await notify.tick(after=MINUTE)
    assert len(notify.poster.messages) == 2


async def test_two_services_in_one_round_poll_once_and_post_once(notify: Notify) -> None:
    await notify.subscribe("C1", "ENG", at=T0 - MINUTE)
    first, second = notify.build(), notify.build()
    notify.site.add_page("ENG", "Shared")
    notify.site.advance(MINUTE)
    notify.site.reset_requests()
    await first.tick(notify.site.now())
    await second.tick(notify.site.now())
    assert len(notify.site.requests_to("GET", r"/rest/api/search$")) == 1
    assert len(notify.poster.messages) == 1


async def test_a_process_dying_after_a_post_loses_nothing_and_posts_nothing_twice(
    notify: Notify,
) -> None:
    await notify.subscribe("C1", "ENG", at=T0 - MINUTE)
    for n in range(4):
        notify.site.add_page("ENG", f"Page {n}")
    notify.poster.crash_after = 2
    with pytest.raises(Crash):
        await notify.tick(after=MINUTE)
    assert len(notify.poster.messages) == 2
    notify.build()  # a new process (another owner) takes over once the dead one's leases end
    for _ in range(7):
        await notify.tick(after=MINUTE)
    titles = sorted(m.text.split(" by ")[0] for m in notify.poster.messages)
    assert titles == [f"New page Page {n}" for n in range(4)]
    assert notify.poster.calls.count("history") >= 1  # the taken-over claims looked first


async def test_an_owners_revoked_connection_pauses_but_the_shared_one_failing_does_not(
    notify: Notify,
) -> None:
    own = await notify.subscribe("C1", "ENG", at=T0 - MINUTE)
    notify.identities.connections["USHARED"] = None  # unlinked, optional mode: the shared one
    shared = await notify.subscribe("C2", "OPS", owner="USHARED", at=T0 - MINUTE)
    await notify.tick(after=MINUTE)
    notify.site.fail("/rest/api/search", 401, times=2)
    await notify.tick(after=MINUTE)
    reasons = {s.id: s.paused_reason for s in await notify.store.notify.active()}
    assert own.id not in reasons and reasons == {shared.id: None}
    assert notify.poster.told == [("UADA", "confluence access lost", ("ENG",), "C1")]
    notify.site.add_page("OPS", "Back")
    await notify.tick(after=MINUTE)  # the shared connection works again: nothing was lost
    assert [m.channel for m in notify.poster.messages] == ["C2"]
