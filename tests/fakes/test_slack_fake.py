"""The fake Slack Web API answers like Slack: shapes, errors, limits, paging, faults."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from slack_sdk.signature import Clock as SignatureClock
from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_fake import (
    FakeSlack,
    block_kit_schema_available,
    iter_json_pointers,
    validate_blocks,
    validate_view,
)
from tests.fakes.slack_signing import (
    event_callback_body,
    interactivity_body,
    load_payload,
    require_payload,
    sign,
    slash_command_body,
)
from tests.shared_specs import BLOCK_KIT_SCHEMA, SPECS, missing

TOKEN = "xoxb-test-token"
BASE = "http://slack.test"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def slack(clock: Clock) -> FakeSlack:
    fake = FakeSlack(clock=clock)
    fake.add_user("U1", "alice", real_name="Alice Example", display_name="alice")
    fake.add_channel("C1", "general", members=("UBOT", "U1"))
    fake.add_channel("C2", "outside", members=("U1",))
    fake.add_channel("G1", "secret", is_private=True, members=("U1",))
    fake.add_channel("C3", "old", is_archived=True)
    return fake


@pytest.fixture
async def http(slack: FakeSlack) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=slack.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


async def api(
    http: httpx.AsyncClient, method: str, token: str | None = TOKEN, **args: Any
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post(f"/api/{method}", json=args, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# ----------------------------------------------------------------------------- auth


async def test_auth_test_and_token_checks(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    ok = await api(http, "auth.test")
    assert ok["ok"] is True and ok["user_id"] == "UBOT" and ok["team_id"] == "T0001"
    assert (await api(http, "auth.test", token="xoxb-wrong"))["error"] == "invalid_auth"
    assert (await api(http, "auth.test", token=None))["error"] == "not_authed"
    form = await http.post("/api/auth.test", data={"token": TOKEN})
    assert form.json()["ok"] is True
    assert [c.token for c in slack.calls_to("auth.test")] == [TOKEN, "xoxb-wrong", None, TOKEN]


async def test_token_kinds_are_kept_apart(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    assert (await api(http, "apps.connections.open"))["error"] == "not_allowed_token_type"
    app_token = slack.app_token
    assert (await api(http, "auth.test", token=app_token))["error"] == "not_allowed_token_type"
    # Socket Mode off: even the app token gets no URL.
    assert (await api(http, "apps.connections.open", token=app_token))["ok"] is False
    slack.socket_mode_url = "ws://127.0.0.1:9/link/"
    opened = await api(http, "apps.connections.open", token=app_token)
    url, ticket = opened["url"].split("?ticket=")
    assert url == "ws://127.0.0.1:9/link/" and ticket in slack.socket_tickets


async def test_apps_connections_open_refuses_tokens_as_slack_does(
    http: httpx.AsyncClient, slack: FakeSlack
) -> None:
    slack.socket_mode_url = "ws://127.0.0.1:9/link/"
    app_token = slack.app_token
    assert (await api(http, "apps.connections.open", token="xapp-1-A0001-typo"))[
        "error"
    ] == "invalid_auth"
    # The app-level token only counts in the Authorization header, not as a parameter.
    in_body = await http.post("/api/apps.connections.open", data={"token": app_token})
    assert in_body.json()["error"] == "not_authed"
    slack.app_token_scopes = {"authorizations:read"}
    refused = await api(http, "apps.connections.open", token=app_token)
    assert refused["error"] == "missing_scope" and refused["needed"] == "connections:write"
    assert refused["provided"] == "authorizations:read"
    slack.app_token_scopes = {"connections:write"}
    slack.revoked_tokens.add(app_token)
    assert (await api(http, "apps.connections.open", token=app_token))["error"] == "token_revoked"


async def test_socket_mode_refuses_every_connection_when_not_accepting(slack: FakeSlack) -> None:
    from tests.fakes.socket_mode_fake import socket_mode_server

    async with socket_mode_server(slack) as socket, httpx.AsyncClient() as client:
        socket.accepting = False
        assert slack.socket_mode_url is not None
        slack.socket_tickets.add("good-ticket")
        link = slack.socket_mode_url.replace("ws://", "http://")
        refused = await client.get(link, params={"ticket": "good-ticket"})
        assert refused.status_code == 503 and socket.refused == 1


async def test_socket_mode_refuses_unknown_tickets(slack: FakeSlack) -> None:
    from tests.fakes.socket_mode_fake import socket_mode_server

    async with socket_mode_server(slack) as socket, httpx.AsyncClient() as client:
        assert slack.socket_mode_url is not None
        refused = await client.get(slack.socket_mode_url, params={"ticket": "made-up"})
        assert refused.status_code == 401 and socket.refused == 1
        with pytest.raises(RuntimeError):
            await socket.send("slash_commands", {})  # nobody connected


async def test_unknown_method(http: httpx.AsyncClient) -> None:
    assert (await api(http, "chat.nope"))["error"] == "unknown_method"


# ----------------------------------------------------------------------------- chat


async def test_post_message_records_and_stores(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    body = await api(http, "chat.postMessage", channel="C1", text="hi", blocks=blocks)
    assert body["ok"] is True and body["channel"] == "C1"
    assert body["message"]["ts"] == body["ts"] and body["message"]["bot_id"]
    (call,) = slack.calls_to("chat.postMessage")
    assert call.args["blocks"] == blocks and call.warnings == []
    assert slack.messages["C1"][-1]["text"] == "hi"


async def test_post_message_form_encoded_blocks_are_decoded(
    http: httpx.AsyncClient, slack: FakeSlack
) -> None:
    blocks = [{"type": "divider"}]
    response = await http.post(
        "/api/chat.postMessage",
        data={"token": TOKEN, "channel": "C1", "text": "x", "blocks": json.dumps(blocks)},
    )
    assert response.json()["ok"] is True
    assert slack.calls_to("chat.postMessage")[0].args["blocks"] == blocks


@pytest.mark.parametrize(
    ("channel", "error"),
    [("C2", "not_in_channel"), ("C3", "is_archived"), ("C404", "channel_not_found")],
)
async def test_post_message_channel_errors(
    http: httpx.AsyncClient, channel: str, error: str
) -> None:
    assert (await api(http, "chat.postMessage", channel=channel, text="x"))["error"] == error


async def test_post_message_to_user_opens_dm(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    body = await api(http, "chat.postMessage", channel="U1", text="digest ready")
    assert body["ok"] is True and body["channel"] == "DU1"
    assert slack.messages["DU1"][0]["text"] == "digest ready"
    opened = await api(http, "conversations.open", users="U1")
    assert opened["channel"]["id"] == "DU1"


async def test_missing_fallback_text_is_a_warning_not_an_error(
    http: httpx.AsyncClient, slack: FakeSlack
) -> None:
    body = await api(http, "chat.postMessage", channel="C1", blocks=[{"type": "divider"}])
    assert body["ok"] is True
    assert slack.calls_to("chat.postMessage")[0].warnings == ["missing_fallback_text"]
    assert (await api(http, "chat.postMessage", channel="C1"))["error"] == "no_text"


async def test_post_message_refuses_invalid_blocks(http: httpx.AsyncClient) -> None:
    too_many = [{"type": "divider"}] * 51
    body = await api(http, "chat.postMessage", channel="C1", text="x", blocks=too_many)
    assert body["ok"] is False and body["error"] == "invalid_blocks"
    assert "/blocks" in set(iter_json_pointers(body["errors"]))


async def test_post_ephemeral(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    body = await api(http, "chat.postEphemeral", channel="C1", user="U1", text="only you")
    assert body["ok"] is True and body["message_ts"]
    assert slack.ephemerals[0]["user"] == "U1" and slack.ephemerals[0]["text"] == "only you"
    missing = await api(http, "chat.postEphemeral", channel="C3", user="U1", text="x")
    assert missing["error"] == "is_archived"
    slack.add_user("U2", "bob")
    assert (await api(http, "chat.postEphemeral", channel="C1", user="U2", text="x"))[
        "error"
    ] == "user_not_in_channel"


async def test_update_and_delete_own_messages_only(
    http: httpx.AsyncClient, slack: FakeSlack
) -> None:
    posted = await api(http, "chat.postMessage", channel="C1", text="v1")
    updated = await api(http, "chat.update", channel="C1", ts=posted["ts"], text="v2")
    assert updated["ok"] is True and updated["text"] == "v2"
    assert slack.messages["C1"][-1]["text"] == "v2"
    slack.add_message("C1", {"ts": "1.000001", "user": "U1", "text": "human"})
    refused = await api(http, "chat.update", channel="C1", ts="1.000001", text="x")
    assert refused["error"] == "cant_update_message"
    assert (await api(http, "chat.update", channel="C1", ts="9.9", text="x"))[
        "error"
    ] == "message_not_found"
    deleted = await api(http, "chat.delete", channel="C1", ts=posted["ts"])
    assert deleted["ok"] is True
    assert [m["ts"] for m in slack.messages["C1"]] == ["1.000001"]


async def test_unfurl_validates_map(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    url = "https://acme.atlassian.net/wiki/spaces/X/pages/1"
    good = {url: {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Page"}}]}}
    body = await api(http, "chat.unfurl", channel="C1", ts="1.2", unfurls=json.dumps(good))
    assert body["ok"] is True
    assert slack.unfurls == [{"channel": "C1", "ts": "1.2", "unfurls": good}]
    bad = await api(http, "chat.unfurl", channel="C1", ts="1.2", unfurls=[url])
    assert bad["error"] == "invalid_unfurls_format"
    big = {url: {"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}]}}
    assert (await api(http, "chat.unfurl", channel="C1", ts="1.2", unfurls=big))[
        "error"
    ] == "invalid_unfurls_format"


async def test_get_permalink(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    slack.add_message("C1", {"ts": "1700000000.000100", "user": "U1", "text": "parent"})
    slack.add_message(
        "C1", {"ts": "1700000001.000200", "thread_ts": "1700000000.000100", "user": "U1"}
    )
    parent = await api(http, "chat.getPermalink", channel="C1", message_ts="1700000000.000100")
    assert parent["permalink"].endswith("/archives/C1/p1700000000000100")
    reply = await api(http, "chat.getPermalink", channel="C1", message_ts="1700000001.000200")
    assert "thread_ts=1700000000.000100" in reply["permalink"]


# ----------------------------------------------------------------------------- views

MODAL = {
    "type": "modal",
    "callback_id": "create_page",
    "title": {"type": "plain_text", "text": "Create page"},
    "submit": {"type": "plain_text", "text": "Create"},
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": {"type": "plain_text", "text": "Title"},
            "element": {"type": "plain_text_input", "action_id": "title", "max_length": 255},
        }
    ],
}


async def test_views_open_needs_fresh_unused_trigger(
    http: httpx.AsyncClient, slack: FakeSlack, clock: Clock
) -> None:
    trigger = slack.new_trigger_id()
    opened = await api(http, "views.open", trigger_id=trigger, view=MODAL)
    assert opened["ok"] is True and opened["view"]["id"].startswith("V")
    assert opened["view"]["callback_id"] == "create_page"
    again = await api(http, "views.open", trigger_id=trigger, view=MODAL)
    assert again["error"] == "exchanged_trigger_id"
    unknown = await api(http, "views.open", trigger_id="1.2.nope", view=MODAL)
    assert unknown["error"] == "expired_trigger_id"
    late = slack.new_trigger_id()
    clock.now += 3.01
    assert (await api(http, "views.open", trigger_id=late, view=MODAL))[
        "error"
    ] == "expired_trigger_id"
    in_time = slack.new_trigger_id()
    clock.now += 2.9
    assert (await api(http, "views.push", trigger_id=in_time, view=MODAL))["ok"] is True


async def test_views_refuse_long_title(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    view = {**MODAL, "title": {"type": "plain_text", "text": "x" * 25}}
    body = await api(http, "views.open", trigger_id=slack.new_trigger_id(), view=view)
    assert body["error"] == "invalid_arguments"
    assert "/view/title/text" in set(iter_json_pointers(body["errors"]))
    assert body["response_metadata"]["messages"][0].startswith("[ERROR]")


async def test_views_update_by_id_and_external_id(
    http: httpx.AsyncClient, slack: FakeSlack
) -> None:
    view = {**MODAL, "external_id": "ext-1"}
    opened = await api(http, "views.open", trigger_id=slack.new_trigger_id(), view=view)
    vid = opened["view"]["id"]
    changed = {**view, "title": {"type": "plain_text", "text": "Saved"}}
    by_ext = await api(http, "views.update", external_id="ext-1", view=changed)
    assert by_ext["view"]["id"] == vid and slack.views[vid]["title"]["text"] == "Saved"
    stale = await api(http, "views.update", view_id=vid, hash="stale", view=changed)
    assert stale["error"] == "hash_conflict"
    assert (await api(http, "views.update", view_id="V404", view=changed))["error"] == "not_found"


async def test_views_publish_home(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    home = {"type": "home", "blocks": [{"type": "divider"}] * 100}
    assert (await api(http, "views.publish", user_id="U1", view=home))["ok"] is True
    assert slack.home_views["U1"]["type"] == "home"
    too_big = {"type": "home", "blocks": [{"type": "divider"}] * 101}
    assert (await api(http, "views.publish", user_id="U1", view=too_big))[
        "error"
    ] == "invalid_arguments"
    assert (await api(http, "views.publish", user_id="U1", view=MODAL))[
        "error"
    ] == "invalid_arguments"
    assert (await api(http, "views.publish", user_id="U404", view=home))[
        "error"
    ] == "user_not_found"


async def test_a_home_tab_keeps_its_id_and_is_updated_in_place(
    http: httpx.AsyncClient, slack: FakeSlack
) -> None:
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    first = await api(http, "views.publish", user_id="U1", view=home)
    again = await api(http, "views.publish", user_id="U1", view=home)
    assert (
        again["view"]["id"] == first["view"]["id"]
        and again["view"]["hash"] != first["view"]["hash"]
    )
    stale = await api(
        http, "views.update", view_id=again["view"]["id"], hash=first["view"]["hash"], view=home
    )
    assert stale["error"] == "hash_conflict"
    changed = {"type": "home", "blocks": [{"type": "divider"}] * 2}
    updated = await api(
        http, "views.update", view_id=again["view"]["id"], hash=again["view"]["hash"], view=changed
    )
    assert updated["ok"] is True and slack.home_views["U1"]["blocks"] == changed["blocks"]


# ----------------------------------------------------------------------------- users, channels


async def test_users_info(http: httpx.AsyncClient) -> None:
    user = (await api(http, "users.info", user="U1"))["user"]
    assert user["tz"] == "Europe/Berlin" and user["real_name"] == "Alice Example"
    assert user["profile"]["display_name"] == "alice"
    assert (await api(http, "users.info", user="U404"))["error"] == "user_not_found"


async def test_get_with_query_params(http: httpx.AsyncClient) -> None:
    # slack_sdk sends users.info, conversations.replies & co. as GET with a query string.
    response = await http.get(
        "/api/users.info", params={"user": "U1"}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.json()["user"]["id"] == "U1"


async def test_conversations_info_and_join(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    info = await api(http, "conversations.info", channel="C2")
    assert info["channel"]["is_member"] is False and info["channel"]["is_private"] is False
    assert (await api(http, "conversations.info", channel="G1"))["error"] == "channel_not_found"
    joined = await api(http, "conversations.join", channel="C2")
    assert joined["ok"] is True and joined["channel"]["is_member"] is True
    assert "UBOT" in slack.members["C2"]
    again = await api(http, "conversations.join", channel="C2")
    assert again["warning"] == "already_in_channel"
    private = await api(http, "conversations.join", channel="G1")
    assert private["error"] == "method_not_supported_for_channel_type"


def seed_thread(slack: FakeSlack, replies: int) -> str:
    parent = "1700000000.000001"
    slack.add_message("C1", {"ts": parent, "user": "U1", "text": "parent"})
    for i in range(replies):
        slack.add_message(
            "C1", {"ts": f"17000001{i:02d}.000001", "thread_ts": parent, "text": f"r{i}"}
        )
    slack.add_message("C1", {"ts": "1800000000.000001", "user": "U1", "text": "later"})
    return parent


async def test_replies_pages_in_order(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    parent = seed_thread(slack, 5)
    texts: list[str] = []
    cursor = ""
    pages = 0
    while True:
        page = await api(
            http, "conversations.replies", channel="C1", ts=parent, limit=2, cursor=cursor
        )
        texts += [m["text"] for m in page["messages"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        assert page["has_more"] is bool(cursor)
        if not cursor:
            break
    assert texts == ["parent", "r0", "r1", "r2", "r3", "r4"] and pages == 3
    first = (await api(http, "conversations.replies", channel="C1", ts=parent))["messages"][0]
    assert first["reply_count"] == 5 and first["latest_reply"] == "1700000104.000001"


async def test_replies_errors(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    parent = seed_thread(slack, 1)
    assert (await api(http, "conversations.replies", channel="C1", ts="2.0"))[
        "error"
    ] == "thread_not_found"
    assert (await api(http, "conversations.replies", channel="C2", ts="2.0"))[
        "error"
    ] == "not_in_channel"
    bad_cursor = await api(http, "conversations.replies", channel="C1", ts=parent, cursor="???")
    assert bad_cursor["error"] == "invalid_cursor"


async def test_history_lists_top_level_newest_first(
    http: httpx.AsyncClient, slack: FakeSlack
) -> None:
    seed_thread(slack, 2)
    history = await api(http, "conversations.history", channel="C1")
    assert [m["text"] for m in history["messages"]] == ["later", "parent"]


async def test_usergroups_and_files(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    slack.add_usergroup("S1", "docs-team", "Docs Team")
    groups = await api(http, "usergroups.list")
    assert groups["usergroups"][0]["handle"] == "docs-team"
    meta = slack.add_file("F1", "diagram.png", b"\x89PNG...", "image/png")
    assert meta["url_private"] == "/files/F1/diagram.png"
    slack.add_message("C1", {"ts": "1.000001", "text": "see", "files": [meta]})
    info = await api(http, "files.info", file="F1")
    url = info["file"]["url_private"]
    assert url == f"{BASE}/files/F1/diagram.png"
    history = await api(http, "conversations.history", channel="C1")
    assert history["messages"][0]["files"][0]["url_private"] == url
    authed = await http.get(url, headers={"Authorization": f"Bearer {TOKEN}"})
    assert authed.content == b"\x89PNG..." and authed.headers["content-type"] == "image/png"
    anonymous = await http.get(url)
    assert anonymous.status_code == 200 and "text/html" in anonymous.headers["content-type"]
    assert (await api(http, "files.info", file="F404"))["error"] == "file_not_found"


# ----------------------------------------------------------------------------- faults, response_url


async def test_rate_limit_then_recover(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    slack.rate_limit("chat.postMessage", times=2, retry_after=7)
    for _ in range(2):
        limited = await http.post(
            "/api/chat.postMessage",
            json={"channel": "C1", "text": "x"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert limited.status_code == 429 and limited.headers["retry-after"] == "7"
        assert limited.json() == {"ok": False, "error": "ratelimited"}
    assert (await api(http, "chat.postMessage", channel="C1", text="x"))["ok"] is True
    assert len(slack.calls_to("chat.postMessage")) == 3


async def test_injected_failure(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    slack.fail("users.info", "fatal_error")
    assert (await api(http, "users.info", user="U1"))["error"] == "fatal_error"
    assert (await api(http, "users.info", user="U1"))["ok"] is True


async def test_response_url_posts(http: httpx.AsyncClient, slack: FakeSlack) -> None:
    url = slack.new_response_url(BASE)
    rid = url.rsplit("/", 1)[1]
    ok = await http.post(url, json={"text": "done", "response_type": "ephemeral"})
    assert ok.status_code == 200
    assert slack.responses == [{"id": rid, "body": {"text": "done", "response_type": "ephemeral"}}]
    bad = await http.post(url, json={"text": "x", "blocks": [{"type": "divider"}] * 51})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_blocks"
    for _ in range(4):
        assert (await http.post(url, json={"text": "again"})).status_code == 200
    assert (await http.post(url, json={"text": "sixth"})).status_code == 404
    assert (await http.post(f"{BASE}/response/unknown", json={"text": "x"})).status_code == 404


# ----------------------------------------------------------------------------- validator


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


@pytest.mark.parametrize(
    ("block", "pointer"),
    [
        (section("x" * 3001), "/blocks/0/text/text"),
        (
            {"type": "header", "text": {"type": "plain_text", "text": "x" * 151}},
            "/blocks/0/text/text",
        ),
        ({"type": "header", "text": {"type": "mrkdwn", "text": "x"}}, "/blocks/0/text/type"),
        (
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11},
            "/blocks/0/fields",
        ),
        (
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]},
            "/blocks/0/fields/0/text",
        ),
        (
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11},
            "/blocks/0/elements",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "b"},
                        "action_id": f"a{i}",
                    }
                    for i in range(26)
                ],
            },
            "/blocks/0/elements",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "b" * 76},
                        "action_id": "a",
                    }
                ],
            },
            "/blocks/0/elements/0/text/text",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "b"},
                        "action_id": "a",
                        "value": "v" * 2001,
                    }
                ],
            },
            "/blocks/0/elements/0/value",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "b"},
                        "action_id": "a" * 256,
                    }
                ],
            },
            "/blocks/0/elements/0/action_id",
        ),
        ({"type": "divider", "block_id": "b" * 256}, "/blocks/0/block_id"),
        (
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "pick"},
                "accessory": {
                    "type": "static_select",
                    "action_id": "s",
                    "options": [{"text": {"type": "plain_text", "text": "o" * 76}, "value": "v"}],
                },
            },
            "/blocks/0/accessory/options/0/text/text",
        ),
        (
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "pick"},
                "accessory": {
                    "type": "static_select",
                    "action_id": "s",
                    "options": [{"text": {"type": "plain_text", "text": "o"}, "value": "v" * 151}],
                },
            },
            "/blocks/0/accessory/options/0/value",
        ),
        (
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "pick"},
                "accessory": {
                    "type": "static_select",
                    "action_id": "s",
                    "options": [
                        {"text": {"type": "plain_text", "text": "o"}, "value": str(i)}
                        for i in range(101)
                    ],
                },
            },
            "/blocks/0/accessory/options",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "checkboxes",
                        "action_id": "c",
                        "options": [
                            {"text": {"type": "plain_text", "text": "o"}, "value": str(i)}
                            for i in range(11)
                        ],
                    }
                ],
            },
            "/blocks/0/elements/0/options",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "checkboxes",
                        "action_id": "c",
                        "options": [{"text": {"type": "plain_text", "text": "o"}, "value": "1"}],
                        "initial_options": [],
                    }
                ],
            },
            "/blocks/0/elements/0/initial_options",
        ),
    ],
)
def test_validator_refuses_what_slack_refuses(block: dict[str, Any], pointer: str) -> None:
    errors = validate_blocks([block])
    assert pointer in set(iter_json_pointers(errors)), errors


def test_validator_block_counts_and_unique_ids() -> None:
    assert validate_blocks([{"type": "divider"}] * 50) == []
    assert validate_blocks([{"type": "divider"}] * 51)
    assert validate_blocks([{"type": "divider"}] * 100, surface="modal") == []
    dup = [{"type": "divider", "block_id": "a"}, {"type": "divider", "block_id": "a"}]
    assert "/blocks/1/block_id" in set(iter_json_pointers(validate_blocks(dup)))


def test_validator_view_limits() -> None:
    assert validate_view(MODAL) == []
    no_submit = {k: v for k, v in MODAL.items() if k != "submit"}
    assert "/view/submit" in set(iter_json_pointers(validate_view(no_submit)))
    long_meta = {**MODAL, "private_metadata": "m" * 3001}
    assert "/view/private_metadata" in set(iter_json_pointers(validate_view(long_meta)))
    long_input = json.loads(json.dumps(MODAL))
    long_input["blocks"][0]["element"]["max_length"] = 3001
    long_input["blocks"][0]["label"]["text"] = "l" * 2001
    pointers = set(iter_json_pointers(validate_view(long_input)))
    assert {"/view/blocks/0/element/max_length", "/view/blocks/0/label/text"} <= pointers


def test_schema_layer_catches_unknown_block_types() -> None:
    if not block_kit_schema_available():
        pytest.skip(missing("the Block Kit JSON schema", BLOCK_KIT_SCHEMA))
    assert validate_blocks([{"type": "no_such_block"}])
    assert validate_blocks([{"type": "divider", "surprise": 1}])


def test_real_views_pass_the_validator() -> None:
    views = SPECS / "slack" / "views"
    if not views.is_dir():
        pytest.skip(missing("the Slack view examples", views))
    for name in ("view_modal_001.json", "view_modal_007.json", "view_home_001.json"):
        view = json.loads((views / name).read_text(encoding="utf-8"))
        assert validate_view(view) == [], name


def test_real_rich_text_blocks_pass_the_validator() -> None:
    blocks = require_payload("python-slack-sdk/rich_text_blocks.from_test_blocks.json")
    assert validate_blocks(blocks) == []


# ----------------------------------------------------------------------------- signing


def test_sign_matches_slack_sdk_verifier() -> None:
    body = slash_command_body("search roadmap")
    headers = sign(body, "s3cret", timestamp=1_700_000_000)
    verifier = SignatureVerifier("s3cret", clock=_FixedClock(1_700_000_010))
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert not verifier.is_valid(
        body + b"x", headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )


def test_body_builders_round_trip() -> None:
    from urllib.parse import parse_qs

    slash = parse_qs(slash_command_body("recent", user_id="U9").decode())
    assert slash["command"] == ["/confluence"] and slash["text"] == ["recent"]
    assert slash["user_id"] == ["U9"]
    payload = {"type": "shortcut", "callback_id": "create_page"}
    form = parse_qs(interactivity_body(payload).decode())
    assert json.loads(form["payload"][0]) == payload
    event = json.loads(event_callback_body({"type": "app_home_opened"}, event_id="Ev9"))
    assert event["type"] == "event_callback" and event["event_id"] == "Ev9"


def test_real_payload_loaders() -> None:
    raw = require_payload("bolt-python/slash_command.form-urlencoded.txt")
    assert isinstance(raw, str) and "command=" in raw
    shortcut = require_payload("bolt-python/shortcut.global.json")
    assert shortcut["type"] == "shortcut"
    assert load_payload("does/not/exist.json") is None


class _FixedClock(SignatureClock):
    def __init__(self, now: float) -> None:
        self.value = now

    def now(self) -> float:
        return self.value


# ----------------------------------------------------------------------------- slack_sdk over a socket


async def test_slack_sdk_client_over_real_socket(slack: FakeSlack) -> None:
    server = pytest.importorskip("tests.fakes.server", reason="tests/fakes/server.py not there yet")
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    with server.serve(slack.app) as base_url:
        client = AsyncWebClient(token=TOKEN, base_url=f"{base_url}/api/")
        assert (await client.auth_test())["user_id"] == "UBOT"
        posted = await client.chat_postMessage(
            channel="C1", text="hi", blocks=[{"type": "divider"}]
        )
        assert posted["ts"]
        parent = seed_thread(slack, 3)
        replies = await client.conversations_replies(channel="C1", ts=parent, limit=2)
        assert len(replies["messages"]) == 2 and replies["has_more"] is True
        assert (await client.users_info(user="U1"))["user"]["tz"] == "Europe/Berlin"
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel="C2", text="x")
        assert refused.value.response["error"] == "not_in_channel"
        # chat.delete goes as POST with a query string; views.open as JSON.
        assert (await client.chat_delete(channel="C1", ts=posted["ts"]))["ok"] is True
        opened = await client.views_open(trigger_id=slack.new_trigger_id(), view=MODAL)
        assert opened["view"]["callback_id"] == "create_page"
        slack.rate_limit("users.info", retry_after=3)
        with pytest.raises(SlackApiError) as limited:
            await client.users_info(user="U1")
        assert limited.value.response.status_code == 429
        assert limited.value.response.headers["Retry-After"] == "3"
