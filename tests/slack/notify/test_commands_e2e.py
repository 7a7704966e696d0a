"""`/confluence notify …` end to end: signed slash commands through the real HTTP app, the Slack
fake on a socket and the Confluence fake behind the real client, identity policy and store."""

from __future__ import annotations

from pathlib import Path

from bot.delivery import AccessLost, ChannelGone, SourceGone
from bot.notify import NotifyFilters
from bot.slack.identity import CONNECT_FIRST
from tests.fakes.slack_fake import FakeSlack
from tests.slack.conftest import TEAM, USER, Harness
from tests.slack.identity_harness import DIRECT, harness_with

from .harness import (
    ADA,
    ADA_CONN,
    OTHER,
    SHARED_CONN,
    SITE,
    link_ada,
    notify_h,
    rows,
    say,
    seed_pages,
    site,
)

__all__ = ["notify_h"]  # the fixture, used by name


def connections_used(h: Harness, path: str) -> list[str | None]:
    return [r.connection for r in h.confluence.requests if path in r.path]


async def test_subscribe_with_the_defaults_reads_as_the_linked_subscriber(
    notify_h: Harness,
) -> None:
    h = notify_h
    text = await say(h, "subscribe eng")
    assert ":bell: This channel now hears about pages, blog posts and comments in *ENG*" in text
    assert "as you see them in Confluence (your own connection)" in text
    (row,) = await rows(h)
    assert (row.space_key, row.space_id) == ("ENG", h.confluence.space_ids_by_key["ENG"])
    assert (row.created_by, row.filters, row.paused_reason) == (USER, NotifyFilters(), None)
    assert set(connections_used(h, "/spaces")) == {ADA_CONN}


async def test_filters_are_stored_and_listed(notify_h: Harness) -> None:
    h = notify_h
    runbooks, _ = seed_pages(h)
    url = f"{SITE}/wiki/spaces/ENG/pages/{runbooks}/Runbooks"
    text = await say(h, f"subscribe ENG pages label:Release-Notes under:<{url}> edits:major")
    assert "pages · label `release-notes` · under “Runbooks” · major edits only" in text
    (row,) = await rows(h)
    assert row.filters == NotifyFilters(frozenset({"page"}), "release-notes", runbooks, "major")
    assert row.under_title == "Runbooks"
    listing = await say(h, "list")
    assert "*ENG* — pages · label `release-notes` · under “Runbooks”" in listing
    assert f"active · set up by <@{USER}>" in listing


async def test_a_label_nothing_carries_yet_gets_a_note(notify_h: Harness) -> None:
    h = notify_h
    runbooks, _ = seed_pages(h)
    h.confluence.add_label(runbooks, "runbook")
    assert "Nothing there carries" not in await say(h, "subscribe ENG label:runbook")
    typo = await say(h, "subscribe ENG label:runbok")
    assert "Nothing there carries the label `runbok` yet" in typo
    assert [r.filters.label for r in await rows(h)] == ["runbok"]


async def test_two_spaces_then_resubscribing_one_replaces_its_filters(notify_h: Harness) -> None:
    h = notify_h
    await say(h, "subscribe ENG,OPS")
    first = {r.space_key: r.id for r in await rows(h)}
    text = await say(h, "subscribe ops comments")
    assert "*OPS (updated)*" in text
    after = {r.space_key: r for r in await rows(h)}
    assert after["OPS"].id == first["OPS"] and after["OPS"].filters.kinds == {"comment"}
    assert after["ENG"].filters == NotifyFilters()


WRONG_INPUT = [
    ("subscribe ENG,NOPE", "There's no space `NOPE`, or you can't see it."),
    ("subscribe ENG label:a,b", "isn't a Confluence label: labels can't contain ,"),
    ("subscribe ENG label:two words", "I don't understand “words”"),
    ("subscribe ENG edits:minor", "`edits:minor` isn't a choice"),
    (
        "subscribe ENG under:https://other.atlassian.net/wiki/spaces/ENG/pages/1",
        "That `under:` page is on other.atlassian.net, but I'm connected to acme.atlassian.net",
    ),
    (
        "subscribe ENG under:https://evil.example\\@acme.atlassian.net/wiki/spaces/ENG/pages/1",
        "isn't a plain link to a page",
    ),
    ("subscribe ENG under:999999", "There's no page 999999, or you can't see it"),
    ("subscribe ENG under:ROTA", "isn't a page: give the page's link"),
    ("subscribe ENG under:ROTA_IN_OPS", "The page “Rota” isn't in *ENG*"),
    ("subscribe ENG,OPS under:1", "follows one page's tree"),
    ("subscribe ENG blogposts under:1", "Blog posts are never under a page"),
    ("subscribe ENG hourly", "I don't understand “hourly”"),
    ("frobnicate", "Unknown notify command “frobnicate”"),
]


async def test_wrong_input_is_named_privately_and_nothing_is_saved(notify_h: Harness) -> None:
    h = notify_h
    _, rota = seed_pages(h)
    for text, said in WRONG_INPUT:
        answer = await say(h, text.replace("ROTA_IN_OPS", rota))
        assert said in answer, text
        assert await rows(h) == [], text


async def test_channels_only_invite_for_private_and_archived(notify_h: Harness) -> None:
    h = notify_h
    assert "Notifications go to channels" in await say(h, "subscribe ENG", channel="D0001")
    h.slack.add_channel("G0001", "secret", is_private=True, members=(USER,))
    assert "/invite @Confluence" in await say(h, "subscribe ENG", channel="G0001")
    h.slack.add_channel("C0ARC", "old", is_archived=True, members=("UBOT", USER))
    archived = await say(h, "subscribe ENG", channel="C0ARC")
    assert "archived, so it can't get Confluence notifications" in archived
    assert await h.services.store.notify.by_user(TEAM, USER) == []
    assert ":bell:" in await say(h, "subscribe ENG", channel="C0999")  # public: joined
    assert [c.args["channel"] for c in h.slack.calls_to("conversations.join")] == ["C0999"]


async def test_a_space_hidden_from_the_shared_identity_is_unknown_to_the_unlinked(
    notify_h: Harness,
) -> None:
    h = notify_h
    assert "the app's shared Confluence account" in await say(h, "subscribe ENG", user=OTHER)
    await say(h, "unsubscribe ENG", user=OTHER)
    h.confluence.reset_requests()
    assert "There's no space `SECRET`" in await say(h, "subscribe SECRET", user=OTHER)
    assert set(connections_used(h, "/spaces")) == {SHARED_CONN}
    assert await rows(h) == []
    assert ":bell:" in await say(h, "subscribe SECRET")  # Ada sees it through her own
    assert [r.created_by for r in await rows(h)] == [USER]


async def test_required_mode_lets_only_linked_members_subscribe(
    slack_server: tuple[FakeSlack, str], tmp_path: Path
) -> None:
    async with harness_with(
        slack_server,
        tmp_path,
        confluence=site(),
        maton_connection=SHARED_CONN,
        confluence_user_auth="required",
    ) as h:
        await link_ada(h)
        refused = await say(h, "subscribe ENG", user=OTHER)
        assert CONNECT_FIRST in refused and "Nothing was changed" in refused
        assert connections_used(h, "/spaces") == []  # refused before asking Confluence
        assert ":bell:" in await say(h, "subscribe ENG")
        assert [r.created_by for r in await rows(h)] == [USER]


async def test_direct_mode_subscribes_as_the_token(
    slack_server: tuple[FakeSlack, str], tmp_path: Path
) -> None:
    async with harness_with(slack_server, tmp_path, confluence=site(), **DIRECT) as h:
        assert ":bell:" in await say(h, "subscribe ENG", user=OTHER)


async def test_a_stale_own_connection_is_asked_to_reconnect(notify_h: Harness) -> None:
    h = notify_h
    h.confluence.expire_connection(ADA_CONN)
    text = await say(h, "subscribe ENG")
    assert "reconnect" in text and "Nothing was changed" in text
    assert await rows(h) == []
    link = await h.services.store.connections.get(TEAM, USER)
    assert link is not None and link.status == "stale"


async def test_confluence_down_changes_nothing(notify_h: Harness) -> None:
    h = notify_h
    h.confluence.fail(r"/spaces", 503, times=5)
    text = await say(h, "subscribe ENG")
    assert "Nothing was changed" in text
    assert await rows(h) == []


async def test_someone_elses_subscription_needs_an_admin(notify_h: Harness) -> None:
    h = notify_h
    await say(h, "subscribe ENG")
    for text in ("subscribe ENG pages", "unsubscribe ENG", "pause", "resume ENG"):
        answer = await say(h, text, user=OTHER)
        assert f"<@{USER}> set up this channel's notifications of *ENG*" in answer, text
        assert "a workspace admin, or a member who connected" in answer
    (row,) = await rows(h)
    assert (row.created_by, row.filters, row.paused) == (USER, NotifyFilters(), False)
    assert "Nothing was removed" in await say(h, "unsubscribe all", user=OTHER)
    h.slack.add_user("U0ADM", "admin", is_admin=True)
    assert "Paused this channel notifications of *ENG*" in await say(h, "pause", user="U0ADM")
    assert "Unsubscribed this channel from *ENG*" in await say(h, "unsubscribe all", user="U0ADM")
    assert await rows(h) == []


async def test_unsubscribe_names_what_it_did_and_did_not(notify_h: Harness) -> None:
    h = notify_h
    await say(h, "subscribe ENG,OPS")
    text = await say(h, "unsubscribe eng,DOC")
    assert "Unsubscribed this channel from *ENG*." in text
    assert "This channel doesn't follow *DOC*." in text
    assert [r.space_key for r in await rows(h)] == ["OPS"]
    assert "Unsubscribed this channel from *OPS*" in await say(h, "unsubscribe all")
    assert "no Confluence notifications" in await say(h, "list")


async def test_pause_and_resume(notify_h: Harness) -> None:
    h = notify_h
    await say(h, "subscribe ENG,OPS")
    assert "Paused this channel notifications of *ENG*." in await say(h, "pause ENG")
    assert f"paused by <@{USER}>" in await say(h, "list")
    assert await h.services.store.notify.active() == [r for r in await rows(h) if not r.paused]
    both = await say(h, "pause")
    assert "*OPS*" in both and "*ENG* were already paused" in both
    assert await h.services.store.notify.active() == []
    assert "Resumed *ENG*, *OPS*." in await say(h, "resume")
    assert len(await h.services.store.notify.active()) == 2
    assert "*ENG* weren't paused" in await say(h, "resume ENG")


async def test_resume_lifts_a_system_pause_once_the_space_is_back(notify_h: Harness) -> None:
    h = notify_h
    await say(h, "subscribe SECRET")
    (row,) = await rows(h)
    await h.services.store.notify.set_paused([row.id], SourceGone().stored)
    assert "paused: the space was deleted, or its owner can no longer see it" in await say(
        h, "list"
    )
    h.confluence.revoke_space_access("SECRET", ADA)
    stays = await say(h, "resume")
    assert "*SECRET* stay paused: the space is gone" in stays
    assert (await rows(h))[0].paused_reason == SourceGone().stored
    h.confluence.grant_space_access("SECRET", ADA)
    assert "Resumed *SECRET*" in await say(h, "resume")
    assert (await rows(h))[0].paused_reason is None


async def test_resume_of_another_owners_lost_access_says_who_must_act(notify_h: Harness) -> None:
    h = notify_h
    await say(h, "subscribe ENG")
    (row,) = await rows(h)
    await h.services.store.notify.set_paused([row.id], AccessLost().stored)
    await h.services.store.connections.mark_stale(TEAM, USER, connection_id=ADA_CONN)
    h.slack.add_user("U0ADM", "admin", is_admin=True)
    text = await say(h, "resume", user="U0ADM")
    assert f"*ENG* stay paused: <@{USER}> must connect to Confluence again" in text
    assert (await rows(h))[0].paused


async def test_resume_after_the_bot_left_the_channel_asks_for_an_invite(
    notify_h: Harness,
) -> None:
    h = notify_h
    h.slack.add_channel("G0002", "private", is_private=True, members=("UBOT", USER))
    await say(h, "subscribe ENG", channel="G0002")
    (row,) = await rows(h, "G0002")
    await h.services.store.notify.set_paused([row.id], ChannelGone("not_in_channel").stored)
    h.slack.add_channel("G0002", "private", is_private=True, members=(USER,))
    assert "paused: I was removed from the channel" in await say(h, "list", channel="G0002")
    assert "/invite @Confluence" in await say(h, "resume", channel="G0002")
    assert (await rows(h, "G0002"))[0].paused


async def test_disconnect_forgets_a_linked_users_subscriptions(notify_h: Harness) -> None:
    h = notify_h
    await say(h, "subscribe ENG")
    await say(h, "subscribe OPS", user=OTHER)
    _, url = await h.command("disconnect")
    assert "the channel notifications you set up" in h.answer_text(url)
    assert [(r.space_key, r.created_by) for r in await rows(h)] == [("OPS", OTHER)]
    _, url = await h.command("disconnect", user_id=OTHER)  # no connection: his stay
    assert "You have no connected Confluence account" in h.answer_text(url)
    assert [r.created_by for r in await rows(h)] == [OTHER]


async def test_help_and_usage(notify_h: Harness) -> None:
    h = notify_h
    assert "`notify subscribe ENG[,OPS] [pages]" in await say(h, "")
    assert "`notify subscribe ENG[,OPS] [pages]" in await say(h, "help")
    response, _ = await h.command("help")  # answered in the ack itself
    assert "notify subscribe|list|unsubscribe|pause|resume" in response.json()["text"]
