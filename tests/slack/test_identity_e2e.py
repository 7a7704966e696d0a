"""Per-user Confluence identities through Maton connections, end to end (signed HTTP, fakes)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.slack import connect_flow
from bot.slack.identity import NotConnected
from bot.slack.identity_view import CHECK_ACTION, CONNECT_ACTION, DISCONNECT_ACTION
from bot.slack.search_view import MORE_ACTION
from bot.slack.write import views
from bot.slack.write.views import SPACE_ACTION, SPACE_BLOCK
from tests.fakes.confluence_fake import FakeConfluence, RecordedRequest
from tests.fakes.slack_fake import FakeSlack, validate_blocks
from tests.fakes.slack_signing import interactivity_body
from tests.slack.conftest import CHANNEL, TEAM, USER, Harness
from tests.slack.harness_extra import global_shortcut, options_load, selected, submit, typed
from tests.slack.identity_harness import DIRECT, harness_with

SITE = "https://acme.atlassian.net"
OTHER = "U0002"
SHARED_CONN = "conn-shared"
SHARED_ACCOUNT = "557058:shared-bot"
WIKI = r"^/confluence/ex/confluence/[^/]+/wiki/"


@pytest.fixture(autouse=True)
def quick_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "Done" looks at Maton a few times over a few seconds; in tests, over a few milliseconds."""
    monkeypatch.setattr(connect_flow, "CHECK_DELAYS", (0.0, 0.01, 0.01))


def _fake() -> FakeConfluence:
    fake = FakeConfluence()
    # The app's shared identity, pinned with MATON_CONNECTION (as the README asks).
    fake.add_connection(SHARED_CONN, account_id=SHARED_ACCOUNT)
    fake.add_space("ENG", "Engineering")
    fake.add_page("ENG", "Deploy checklist", "<p>deploy steps</p>")
    fake.add_user("557058:ada", "Ada Lovelace", "ada@example.com")
    fake.add_user("557058:bob", "Bob Babbage", "bob@example.com")
    return fake


@pytest.fixture
async def optional(slack_server: tuple[FakeSlack, str], tmp_path: Path) -> AsyncIterator[Harness]:
    async with harness_with(
        slack_server, tmp_path, confluence=_fake(), maton_connection=SHARED_CONN
    ) as h:
        yield h


@pytest.fixture
async def required(slack_server: tuple[FakeSlack, str], tmp_path: Path) -> AsyncIterator[Harness]:
    async with harness_with(
        slack_server,
        tmp_path,
        confluence=_fake(),
        maton_connection=SHARED_CONN,
        confluence_user_auth="required",
    ) as h:
        yield h


def _buttons(message: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    return [
        element
        for block in message.get("blocks", [])
        for element in block.get("elements", [])
        if isinstance(element, dict) and element.get("action_id") == action_id
    ]


def _wiki(fake: FakeConfluence, since: int = 0) -> list[RecordedRequest]:
    return [r for r in fake.requests[since:] if r.method in {"GET", "POST"} and _is_wiki(r)]


def _is_wiki(request: RecordedRequest) -> bool:
    return re.search(WIKI, request.path) is not None


async def _connect(h: Harness, user: str, account_id: str) -> str:
    """Run the whole flow: /confluence connect, authorise at Atlassian (fake), click Done."""
    _, url = await h.command("connect", user_id=user)
    (answer,) = h.answers(url)
    (done,) = _buttons(answer, CHECK_ACTION)
    connection_id = str(done["value"])
    h.confluence.activate_connection(connection_id, account_id)
    _, check_url = await h.action(CHECK_ACTION, connection_id, user_id=user)
    assert "Connected" in h.answer_text(check_url)
    return connection_id


async def _link(h: Harness, user: str, connection_id: str, account_id: str) -> None:
    """A user already linked (seeded without the Slack round trips)."""
    h.confluence.add_connection(connection_id, account_id=account_id)
    await h.services.store.connections.put(
        team_id=TEAM,
        slack_user_id=user,
        connection_id=connection_id,
        status="active",
        atlassian_account_id=account_id,
        atlassian_name="Ada Lovelace",
        atlassian_email="ada@example.com",
    )


# -- Done when: two users, two identities -----------------------------------------------------


async def test_two_users_search_under_their_own_identities(optional: Harness) -> None:
    h = optional
    ada_conn = await _connect(h, USER, "557058:ada")
    bob_conn = await _connect(h, OTHER, "557058:bob")
    assert ada_conn != bob_conn

    seen: dict[str, list[RecordedRequest]] = {}
    for user in (USER, OTHER):
        before = len(h.confluence.requests)
        _, url = await h.command("search deploy", user_id=user)
        assert "Deploy checklist" in h.answer_text(url)
        seen[user] = _wiki(h.confluence, before)

    for user, conn, account in ((USER, ada_conn, "557058:ada"), (OTHER, bob_conn, "557058:bob")):
        assert seen[user], "the search reached Confluence"
        assert {r.connection for r in seen[user]} == {conn}
        assert {r.account_id for r in seen[user]} == {account}


# -- connect ----------------------------------------------------------------------------------


async def test_connect_sends_link_privately_then_confirms_once_active(optional: Harness) -> None:
    h = optional
    _, url = await h.command("connect")
    (answer,) = h.answers(url)
    assert answer["response_type"] == "ephemeral"
    assert validate_blocks(answer["blocks"]) == []
    (created,) = h.confluence.requests_to("POST", r"^/connections$")
    assert created.json() == {"app": "confluence"}
    # Only MATON_API_URL is set: connections are managed on the gateway host, as at Maton.
    assert h.services.settings.maton_ctrl_url is None
    assert {r.host for r in h.confluence.requests} == {"gateway.test"}
    (done,) = _buttons(answer, CHECK_ACTION)
    connection_id = str(done["value"])
    assert h.confluence.connections[connection_id]["url"] in json.dumps(answer)
    assert h.slack.calls_to("chat.postMessage") == []  # nothing public
    link = await h.services.store.connections.get(TEAM, USER)
    assert link is not None and link.status == "pending" and link.connection_id == connection_id

    # Clicked before authorising: a few looks at Maton, then "not finished yet", same button.
    _, early = await h.action(CHECK_ACTION, connection_id)
    (not_yet,) = h.answers(early)
    assert "Not finished yet" in not_yet["text"] and not_yet["replace_original"] is True
    assert _buttons(not_yet, CHECK_ACTION)[0]["value"] == connection_id
    looks = h.confluence.requests_to("GET", rf"^/connections/{connection_id}$")
    assert len(looks) == len(connect_flow.CHECK_DELAYS)
    assert h.confluence.requests_to("GET", r"/user/current$") == []

    h.confluence.activate_connection(connection_id, "557058:ada")
    _, late = await h.action(CHECK_ACTION, connection_id)
    (confirmed,) = h.answers(late)
    assert "Ada Lovelace" in confirmed["text"] and "ada@example.com" in confirmed["text"]
    (whoami,) = h.confluence.requests_to("GET", r"/user/current$")
    assert whoami.connection == connection_id and whoami.account_id == "557058:ada"
    link = await h.services.store.connections.get(TEAM, USER)
    assert link is not None and link.status == "active"
    assert (link.atlassian_account_id, link.atlassian_name, link.atlassian_email) == (
        "557058:ada",
        "Ada Lovelace",
        "ada@example.com",
    )


async def test_connect_uses_a_separate_control_host_only_when_configured(
    slack_server: tuple[FakeSlack, str], tmp_path: Path
) -> None:
    fake = FakeConfluence(ctrl_url="http://ctrl.test")
    async with harness_with(
        slack_server, tmp_path, confluence=fake, maton_ctrl_url="http://ctrl.test"
    ) as h:
        _, url = await h.command("connect")
        (done,) = _buttons(h.answers(url)[0], CHECK_ACTION)
        h.confluence.activate_connection(str(done["value"]), "557058:ada")
        _, check = await h.action(CHECK_ACTION, str(done["value"]))
        assert "Connected" in h.answers(check)[0]["text"]
    hosts = {(r.method, r.path.split("/")[1], r.host) for r in fake.requests}
    assert hosts == {
        ("POST", "connections", "ctrl.test"),
        ("GET", "connections", "ctrl.test"),
        ("GET", "confluence", "gateway.test"),  # whoami through the gateway
    }


async def test_unreachable_connection_service_is_named_not_confluence(
    slack_server: tuple[FakeSlack, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The fake serves no such host: the request fails as DNS would.
    async with harness_with(
        slack_server, tmp_path, confluence=_fake(), maton_ctrl_url="http://ctrl.invalid"
    ) as h:
        _, url = await h.command("connect")
        (answer,) = h.answers(url)
        _, home = await h.action(CONNECT_ACTION, "connect")
    assert answer["response_type"] == "ephemeral"
    assert "Maton's connection service" in answer["text"]
    assert "reach Confluence" not in answer["text"]
    assert "Maton's connection service" in h.answers(home)[0]["text"]
    assert h.confluence.requests == []
    assert "could not reach Maton's connection service" in caplog.text
    assert "maton-test-key" not in caplog.text


async def test_connect_again_while_pending_gives_the_same_link(optional: Harness) -> None:
    h = optional
    _, first = await h.command("connect")
    _, second = await h.command("connect")
    assert len(h.confluence.requests_to("POST", r"^/connections$")) == 1
    one, two = h.answers(first)[0], h.answers(second)[0]
    assert _buttons(one, CHECK_ACTION)[0]["value"] == _buttons(two, CHECK_ACTION)[0]["value"]
    conn = h.confluence.connections[str(_buttons(two, CHECK_ACTION)[0]["value"])]
    assert conn["url"] in json.dumps(two) and "same link" in two["text"]


async def test_two_connects_at_once_create_one_connection(optional: Harness) -> None:
    h = optional
    # Maton takes a moment to create a connection: both starts are in flight together.
    h.confluence.delay(r"^/connections$", 0.3, method="POST")
    (_, first), (_, second) = await asyncio.gather(h.command("connect"), h.command("connect"))
    await h.settle()
    assert len(h.confluence.requests_to("POST", r"^/connections$")) == 1
    one, two = h.answers(first)[0], h.answers(second)[0]
    assert _buttons(one, CHECK_ACTION)[0]["value"] == _buttons(two, CHECK_ACTION)[0]["value"]


async def test_connect_when_already_connected_changes_nothing(optional: Harness) -> None:
    h = optional
    await _link(h, USER, "conn-ada", "557058:ada")
    _, url = await h.command("connect")
    assert "already connected" in h.answer_text(url) and "Ada Lovelace" in h.answer_text(url)
    assert h.confluence.requests_to("POST", r"^/connections$") == []


async def test_done_button_of_a_replaced_connection_is_refused(optional: Harness) -> None:
    h = optional
    await h.command("connect")
    _, url = await h.action(CHECK_ACTION, "someone-elses-connection")
    assert "no longer current" in h.answer_text(url)
    assert h.confluence.requests_to("GET", r"^/connections/") == []


# -- every action runs as the invoker ----------------------------------------------------------


def _link_shared(url: str, user: str = USER) -> dict[str, object]:
    return {
        "type": "link_shared",
        "channel": CHANNEL,
        "is_bot_user_member": True,
        "user": user,
        "message_ts": "1700000000.000200",
        "unfurl_id": "C0001.1700000000.000200.abc",
        "source": "conversations_history",
        "links": [{"domain": "acme.atlassian.net", "url": url}],
        "event_ts": "1700000000.000300",
    }


async def test_search_recent_more_and_unfurl_carry_the_users_connection(
    optional: Harness,
) -> None:
    h = optional
    for i in range(6):
        h.confluence.add_page("ENG", f"Runbook {i}", "<p>runbook</p>")
    page = h.confluence.add_page("ENG", "Linked page", "<p>hello</p>")
    await _link(h, USER, "conn-ada", "557058:ada")
    before = len(h.confluence.requests)

    _, search_url = await h.command("search runbook")
    _, recent_url = await h.command("recent ENG")
    (first,) = h.answers(search_url)
    more = _buttons(first, MORE_ACTION)
    assert more, "more than one page of results"
    await h.action(MORE_ACTION, str(more[0]["value"]))
    await h.event(_link_shared(f"{SITE}/wiki/spaces/ENG/pages/{page['id']}/Linked+page"))

    assert "Recently updated" in h.answer_text(recent_url)
    assert len(h.slack.calls_to("chat.unfurl")) == 1
    wiki = _wiki(h.confluence, before)
    searches = [r for r in wiki if r.path.endswith("/rest/api/search")]
    assert len(searches) == 3  # search, recent, more
    assert any(r.path.endswith(f"/pages/{page['id']}") for r in wiki)  # the unfurl lookup
    assert {r.connection for r in wiki} == {"conn-ada"}
    assert {r.account_id for r in wiki} == {"557058:ada"}


# -- optional mode: the shared identity, attributed ---------------------------------------------


async def test_optional_mode_unlinked_user_acts_through_the_shared_connection(
    optional: Harness,
) -> None:
    h = optional
    before = len(h.confluence.requests)
    _, url = await h.command("search deploy")
    assert "Deploy checklist" in h.answer_text(url)
    wiki = _wiki(h.confluence, before)
    assert {r.connection for r in wiki} == {SHARED_CONN}
    assert {r.account_id for r in wiki} == {SHARED_ACCOUNT}
    services = h.services
    assert await services.attribution_for(TEAM, USER, "Some One") == "Posted from Slack by Some One"
    await _link(h, USER, "conn-ada", "557058:ada")
    assert await services.attribution_for(TEAM, USER, "Some One") is None
    assert await services.attribution_for(TEAM, OTHER, "Other") == "Posted from Slack by Other"


async def test_optional_mode_pending_user_still_uses_the_shared_connection(
    optional: Harness,
) -> None:
    h = optional
    await h.command("connect")
    before = len(h.confluence.requests)
    _, url = await h.command("search deploy")
    assert "Deploy checklist" in h.answer_text(url)
    assert {r.connection for r in _wiki(h.confluence, before)} == {SHARED_CONN}


# -- required mode: nothing for the unlinked ----------------------------------------------------


async def test_required_mode_linked_members_may_not_remove_others_digests(
    required: Harness,
) -> None:
    h = required
    for user, conn in ((USER, "conn-1"), ("U0002", "conn-2")):
        await _link(h, user, conn, f"acc-{conn}")
    await h.command("digest subscribe ENG")
    _, url = await h.command("digest unsubscribe ENG", user_id="U0002")
    answer = h.answer_text(url)
    assert "workspace admin" in answer and "/confluence connect" not in answer
    assert len(await h.services.store.subscriptions.list_by_channel(TEAM, CHANNEL)) == 1


async def test_required_mode_unlinked_search_never_reaches_confluence(required: Harness) -> None:
    h = required
    before = len(h.confluence.requests)
    _, url = await h.command("search deploy")
    _, recent_url = await h.command("recent")
    for answer in (h.answer_text(url), h.answer_text(recent_url)):
        assert "/confluence connect" in answer and "Deploy checklist" not in answer
    assert h.confluence.requests[before:] == []


async def test_required_mode_pending_user_is_asked_to_finish(required: Harness) -> None:
    h = required
    await h.command("connect")
    before = len(h.confluence.requests)
    _, url = await h.command("search deploy")
    assert "isn't finished" in h.answer_text(url)
    assert h.confluence.requests[before:] == []


async def test_required_mode_linked_user_searches_as_themselves(required: Harness) -> None:
    h = required
    await _link(h, USER, "conn-ada", "557058:ada")
    before = len(h.confluence.requests)
    _, url = await h.command("search deploy")
    assert "Deploy checklist" in h.answer_text(url)
    assert {r.connection for r in _wiki(h.confluence, before)} == {"conn-ada"}


async def test_required_mode_unfurl_for_unlinked_poster_is_a_private_hint(
    required: Harness,
) -> None:
    h = required
    page = h.confluence.add_page("ENG", "Secret", "<p>secret</p>")
    before = len(h.confluence.requests)
    await h.event(_link_shared(f"{SITE}/wiki/spaces/ENG/pages/{page['id']}/Secret", OTHER))
    assert h.slack.calls_to("chat.unfurl") == []
    (hint,) = h.slack.calls_to("chat.postEphemeral")
    assert hint.args["user"] == OTHER and hint.args["channel"] == CHANNEL
    assert "/confluence connect" in hint.args["text"]
    assert h.confluence.requests[before:] == []
    # Another link a moment later: still no preview, and no second hint.
    await h.event(_link_shared(f"{SITE}/wiki/spaces/ENG/pages/{page['id']}/Secret", OTHER))
    assert len(h.slack.calls_to("chat.postEphemeral")) == 1
    assert h.slack.calls_to("chat.unfurl") == []


# -- stale connections ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["optional", "required"])
async def test_revoked_connection_is_marked_stale_and_never_replaced_by_the_shared_one(
    slack_server: tuple[FakeSlack, str], tmp_path: Path, mode: str
) -> None:
    async with harness_with(
        slack_server,
        tmp_path,
        confluence=_fake(),
        maton_connection=SHARED_CONN,
        confluence_user_auth=mode,
    ) as h:
        await _link(h, USER, "conn-ada", "557058:ada")
        h.confluence.fail(r"/rest/api/search$", 401)
        before = len(h.confluence.requests)
        _, url = await h.command("search deploy")
        assert "reconnect" in h.answer_text(url)
        wiki = _wiki(h.confluence, before)
        assert [r.connection for r in wiki] == ["conn-ada"]  # no retry as anyone else
        link = await h.services.store.connections.get(TEAM, USER)
        assert link is not None and link.status == "stale"

        before = len(h.confluence.requests)
        _, again = await h.command("search deploy")
        assert "stopped working" in h.answer_text(again)
        assert "Deploy checklist" not in h.answer_text(again)
        assert h.confluence.requests[before:] == []
        _, who = await h.command("whoami")
        assert "stopped working" in h.answer_text(who)


async def test_expired_grant_marks_the_connection_stale(optional: Harness) -> None:
    h = optional
    await _link(h, USER, "conn-ada", "557058:ada")
    h.confluence.connections["conn-ada"]["status"] = "EXPIRED"
    _, url = await h.command("search deploy")
    assert "reconnect" in h.answer_text(url)
    link = await h.services.store.connections.get(TEAM, USER)
    assert link is not None and link.status == "stale"


async def test_a_bad_api_key_is_not_blamed_on_the_users_connection(optional: Harness) -> None:
    h = optional
    await _link(h, USER, "conn-ada", "557058:ada")
    h.confluence.fail(r"/rest/api/search$", 401)
    h.confluence.fail(r"^/connections/conn-ada$", 401, method="GET")
    _, url = await h.command("search deploy")
    assert "credentials" in h.answer_text(url)
    link = await h.services.store.connections.get(TEAM, USER)
    assert link is not None and link.status == "active"


async def test_reconnect_replaces_a_stale_connection(optional: Harness) -> None:
    h = optional
    await _link(h, USER, "conn-ada", "557058:ada")
    await h.services.store.connections.mark_stale(TEAM, USER)
    new_conn = await _connect(h, USER, "557058:ada")
    assert new_conn != "conn-ada" and "conn-ada" not in h.confluence.connections
    before = len(h.confluence.requests)
    await h.command("search deploy")
    assert {r.connection for r in _wiki(h.confluence, before)} == {new_conn}


# -- whoami and disconnect -----------------------------------------------------------------------


async def test_whoami_names_own_or_shared_identity_and_the_site(optional: Harness) -> None:
    h = optional
    _, shared = await h.command("whoami")
    text = h.answer_text(shared)
    assert "shared connection" in text and "acme.atlassian.net" in text
    assert "Confluence Bot" in text  # the shared account's name
    await _link(h, USER, "conn-ada", "557058:ada")
    _, own = await h.command("whoami")
    text = h.answer_text(own)
    assert "your own connection" in text and "Ada Lovelace" in text
    assert "acme.atlassian.net" in text


async def test_whoami_after_authorising_without_clicking_done_sees_the_connection(
    optional: Harness,
) -> None:
    """whoami looks at a pending connection at Maton again, as the Done button does."""
    h = optional
    _, url = await h.command("connect")
    (done,) = _buttons(h.answers(url)[0], CHECK_ACTION)
    connection_id = str(done["value"])
    _, pending = await h.command("whoami")
    assert "haven't finished" in h.answer_text(pending)  # not authorised yet: still pending
    h.confluence.activate_connection(connection_id, "557058:ada")  # authorised at Atlassian
    _, who = await h.command("whoami")
    text = h.answer_text(who)
    assert "your own connection" in text and "Ada Lovelace" in text, text
    link = await h.services.store.connections.get(TEAM, USER)
    assert link is not None and link.status == "active"


async def test_disconnect_deletes_the_maton_connection_and_the_mapping(optional: Harness) -> None:
    h = optional
    await _link(h, USER, "conn-ada", "557058:ada")
    _, url = await h.command("disconnect")
    assert "Disconnected" in h.answer_text(url)
    assert len(h.confluence.requests_to("DELETE", r"^/connections/conn-ada$")) == 1
    assert "conn-ada" not in h.confluence.connections
    assert await h.services.store.connections.get(TEAM, USER) is None
    before = len(h.confluence.requests)
    await h.command("search deploy")
    assert {r.connection for r in _wiki(h.confluence, before)} == {SHARED_CONN}
    _, again = await h.command("disconnect")
    assert "no connected" in h.answer_text(again)


async def test_disconnect_keeps_the_mapping_when_maton_cannot_delete(optional: Harness) -> None:
    h = optional
    await _link(h, USER, "conn-ada", "557058:ada")
    h.confluence.fail(r"^/connections/conn-ada$", 503, method="DELETE")
    _, url = await h.command("disconnect")
    assert "nothing changed" in h.answer_text(url)
    link = await h.services.store.connections.get(TEAM, USER)
    assert link is not None and link.status == "active"


# -- direct mode -----------------------------------------------------------------------------------


async def test_direct_mode_has_one_identity_and_connect_does_nothing(
    slack_server: tuple[FakeSlack, str], tmp_path: Path
) -> None:
    async with harness_with(slack_server, tmp_path, confluence=_fake(), **DIRECT) as h:
        for sub in ("connect", "disconnect"):
            _, url = await h.command(sub)
            assert "single API token" in h.answer_text(url)
        assert h.confluence.requests == []
        assert await h.services.store.connections.get(TEAM, USER) is None
        _, who = await h.command("whoami")
        assert "bot@example.com" in h.answer_text(who) and "direct mode" in h.answer_text(who)
        assert await h.services.attribution_for(TEAM, USER, "Some One") is not None
        _, url = await h.command("search deploy")
        assert "Deploy checklist" in h.answer_text(url)
        assert all("maton-connection" not in r.headers for r in h.confluence.requests)


# -- App Home --------------------------------------------------------------------------------------


async def _home_action(h: Harness, action_id: str, value: str | None = None) -> None:
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": "b1",
        "text": {"type": "plain_text", "text": "x"},
        "type": "button",
        "action_ts": str(time.time()),
    }
    if value is not None:
        action["value"] = value
    payload = {
        "type": "block_actions",
        "user": {"id": USER, "username": "someone", "name": "someone", "team_id": TEAM},
        "api_app_id": "A0001",
        "token": "verification_token",
        "container": {"type": "view", "view_id": "V0001"},
        "trigger_id": h.slack.new_trigger_id(),
        "team": {"id": TEAM, "domain": "fake-workspace"},
        "view": {"id": "V0001", "type": "home", "blocks": []},
        "actions": [action],
    }
    response = await h.post(interactivity_body(payload), "application/x-www-form-urlencoded")
    assert response.status_code == 200
    await h.settle()


def _home(h: Harness) -> dict[str, Any]:
    view = h.slack.home_views[USER]
    assert validate_blocks(view["blocks"], surface="home") == []
    return view


async def test_app_home_connect_check_and_disconnect(optional: Harness) -> None:
    h = optional
    await h.event(
        {
            "type": "app_home_opened",
            "user": USER,
            "channel": "D0001",
            "tab": "home",
            "event_ts": "1",
        }
    )
    home = _home(h)
    assert "not connected" in json.dumps(home) and _buttons(home, CONNECT_ACTION)

    await _home_action(h, CONNECT_ACTION)
    assert len(h.confluence.requests_to("POST", r"^/connections$")) == 1
    home = _home(h)
    (done,) = _buttons(home, CHECK_ACTION)
    connection_id = str(done["value"])
    assert h.confluence.connections[connection_id]["url"] in json.dumps(home)

    await _home_action(h, CHECK_ACTION, connection_id)  # not authorised yet: told in the DM
    (dm,) = h.slack.calls_to("chat.postMessage")
    assert dm.args["channel"] == USER and "Not finished yet" in dm.args["text"]

    h.confluence.activate_connection(connection_id, "557058:ada")
    await _home_action(h, CHECK_ACTION, connection_id)
    home = _home(h)
    assert "Ada Lovelace" in json.dumps(home) and _buttons(home, DISCONNECT_ACTION)

    await _home_action(h, DISCONNECT_ACTION)
    assert connection_id not in h.confluence.connections
    assert "not connected" in json.dumps(_home(h))
    assert len(h.slack.calls_to("chat.postMessage")) == 1


async def test_app_home_disconnect_that_maton_refuses_is_told_in_a_dm(optional: Harness) -> None:
    h = optional
    await _link(h, USER, "conn-ada", "557058:ada")
    h.confluence.fail(r"^/connections/conn-ada$", 500, method="DELETE")
    await _home_action(h, DISCONNECT_ACTION)
    (dm,) = h.slack.calls_to("chat.postMessage")
    assert dm.args["channel"] == USER and "nothing changed" in dm.args["text"]
    assert "Ada Lovelace" in json.dumps(_home(h))  # still connected, and the tab says so


async def test_required_mode_digest_subscribe_asks_to_connect(required: Harness) -> None:
    h = required
    before = len(h.confluence.requests)
    _, url = await h.command("digest subscribe ENG")
    assert "/confluence connect" in h.answer_text(url)
    assert h.confluence.requests[before:] == []
    assert await h.services.store.subscriptions.list_by_channel(TEAM, CHANNEL) == []


async def test_required_mode_space_picker_says_to_connect(required: Harness) -> None:
    h = required
    await global_shortcut(h, "create_page")
    # The create modal opens before any Confluence call (the module's fake keeps older views).
    view = list(h.slack.views.values())[-1]
    assert view["callback_id"] == "create_page_view"
    found = await options_load(h, view, SPACE_ACTION, SPACE_BLOCK, "eng")
    [problem] = found["options"]
    assert "/confluence connect" in problem["text"]["text"]


async def test_required_mode_writes_ask_to_connect_before_reaching_confluence(
    required: Harness,
) -> None:
    """The identity policy's refusal reaches a write as the same sentence: next to the create
    form's space, and in answer to /confluence comment."""
    h = required
    await global_shortcut(h, "create_page")
    view = list(h.slack.views.values())[-1]
    values = {
        SPACE_BLOCK: {SPACE_ACTION: selected("100001|ENG")},
        views.TITLE_BLOCK: {views.TITLE_ACTION: typed("New idea")},
        views.BODY_BLOCK: {views.BODY_ACTION: typed("text")},
    }
    answer = (await submit(h, view, values)).json()
    assert answer["response_action"] == "errors"
    assert "/confluence connect" in answer["errors"][SPACE_BLOCK]
    _, url = await h.command("comment 123 hello")
    assert "/confluence connect" in h.answer_text(url)
    assert h.confluence.requests_to("POST", r"/pages$|/footer-comments$") == []


async def test_stale_user_digest_subscribe_asks_to_reconnect(optional: Harness) -> None:
    h = optional
    await _link(h, USER, "conn-ada", "557058:ada")
    await h.services.store.connections.mark_stale(TEAM, USER)
    _, url = await h.command("digest subscribe ENG")
    assert "stopped working" in h.answer_text(url)


async def test_app_home_in_required_mode_and_stale_state(required: Harness) -> None:
    h = required
    event = {"type": "app_home_opened", "user": USER, "channel": "D0001", "tab": "home"}
    await h.event({**event, "event_ts": "1"})
    assert "asks everyone" in json.dumps(_home(h))
    await _link(h, USER, "conn-ada", "557058:ada")
    await h.services.store.connections.mark_stale(TEAM, USER)
    await h.event({**event, "event_ts": "2"})
    home = _home(h)
    assert "stopped working" in json.dumps(home)
    assert [b["text"]["text"] for b in _buttons(home, CONNECT_ACTION)] == ["Reconnect"]


async def test_required_mode_refuses_actions_with_no_known_user(required: Harness) -> None:
    with pytest.raises(NotConnected):
        await required.services.confluence_for(TEAM, None)
    assert required.confluence.requests == []


async def test_optional_mode_actions_with_no_known_user_use_the_shared_identity(
    optional: Harness,
) -> None:
    client = await optional.services.confluence_for(TEAM, None)
    assert client.connection == SHARED_CONN
