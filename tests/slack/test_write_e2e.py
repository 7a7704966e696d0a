"""Save thread, create page, comment: through the signed HTTP endpoint with the Slack and
Confluence fakes (the Confluence fake refuses malformed storage, so these also prove the XML)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.slack.write import views
from bot.write.save_target import PROPERTY_KEY
from tests.fakes.slack_fake import validate_view
from tests.slack.conftest import CHANNEL, TEAM, USER, Harness
from tests.slack.harness_extra import (
    dump,
    global_shortcut,
    message_shortcut,
    options_load,
    selected,
    submit,
    ticked,
    typed,
    view_action,
)

SITE = "https://acme.atlassian.net"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _rich(text: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": text},
                        {
                            "type": "text",
                            "text": " <ac:structured-macro/> ",
                            "style": {"bold": True},
                        },
                    ],
                }
            ],
        }
    ]


@pytest.fixture
def space(harness: Harness) -> dict[str, Any]:
    harness.confluence.add_space("OPS", "Operations")
    return harness.confluence.add_space("ENG", "Engineering")


def _seed_thread(harness: Harness, replies: int, *, channel: str = CHANNEL) -> dict[str, Any]:
    slack = harness.slack
    parent = {
        "user": USER,
        "text": "Deploy plan for Friday\nsecond line",
        "blocks": _rich("Deploy plan for Friday"),
        "ts": "1700000000.000100",
    }
    slack.add_message(channel, parent)
    for i in range(replies):
        reply: dict[str, Any] = {
            "user": USER if i % 2 else "U0002",
            "text": f"reply {i} &amp; more",
            "ts": f"1700000{i + 1:03d}.000200",
            "thread_ts": parent["ts"],
        }
        if i == 3:
            reply["files"] = [slack.add_file("F0001", "diagram.png", PNG, "image/png")]
        slack.add_message(channel, reply)
    return {**parent, "type": "message", "thread_ts": parent["ts"], "reply_count": replies}


def _save_values(
    space: dict[str, Any] | None, title: str, *, include: bool = True
) -> dict[str, Any]:
    values: dict[str, Any] = {
        views.TITLE_BLOCK: {views.TITLE_ACTION: typed(title)},
        views.INCLUDE_BLOCK: {
            views.INCLUDE_ACTION: ticked(views.INCLUDE_VALUE if include else None)
        },
    }
    if space is not None:
        values[views.SPACE_BLOCK] = {views.SPACE_ACTION: selected(f"{space['id']}|{space['key']}")}
    return values


def _opened_view(harness: Harness) -> dict[str, Any]:
    call = harness.slack.calls_to("views.open")[-1]
    view = next(
        stored
        for stored in reversed(list(harness.slack.views.values()))
        if stored.get("callback_id") == call.args["view"]["callback_id"]
    )
    assert validate_view(call.args["view"]) == []
    return view


def _ephemerals(harness: Harness) -> list[dict[str, Any]]:
    return [c.args for c in harness.slack.calls_to("chat.postEphemeral")]


def _pages(harness: Harness, title: str) -> list[Any]:
    return [
        item
        for item in harness.confluence.by_kind.get("page", {}).values()
        if item.data["title"] == title and item.data["status"] == "current"
    ]


async def _save(harness: Harness, message: dict[str, Any], values: dict[str, Any]) -> Any:
    await message_shortcut(harness, "save_thread", message)
    view = _opened_view(harness)
    response = await submit(harness, view, values)
    await harness.settle()
    return response, view


async def test_save_thread_pages_replies_attaches_image_posts_link_and_remembers(
    harness: Harness, space: dict[str, Any]
) -> None:
    message = _seed_thread(harness, 230)  # > 200: two conversations.replies pages
    response, view = await _save(harness, message, _save_values(space, "Deploy plan"))
    assert response.status_code == 200 and response.content in (b"", b"{}")
    assert view["title"]["text"] == "Save to Confluence"

    (page,) = _pages(harness, "Deploy plan")
    storage = page.storage
    assert "Some One" in storage and "Other Person" in storage
    assert "reply 229 &amp; more" in storage  # Slack's &amp; decoded once, escaped once
    assert "&lt;ac:structured-macro/&gt;" in storage  # hostile text stays text
    assert "Saved from Slack by Some One" in storage
    assert "2023-11-14 23:13 CET" in storage  # parent's time in the saver's zone (Europe/Berlin)
    assert "#general" in storage and "fake-workspace.slack.com/archives/C0001" in storage
    assert 'ri:filename="F0001-diagram.png"' in storage and "<ac:image" in storage

    replies = harness.slack.calls_to("conversations.replies")
    assert len(replies) == 2 and replies[1].args.get("cursor")
    assert len(harness.slack.calls_to("users.info")) == 2  # one per unique person
    (upload,) = harness.confluence.requests_to("PUT", r"/child/attachment$")
    assert upload.headers["x-atlassian-token"] == "nocheck"
    # A save's files are part of the page's own change: no notification per file.
    assert upload.form()["minorEdit"] == b"true"
    (attachment,) = harness.confluence.by_kind["attachment"].values()
    assert attachment.blob == PNG
    assert attachment.data["version"]["minorEdit"] is True

    prop = next(iter(page.properties.values()))
    assert prop["key"] == PROPERTY_KEY
    assert prop["value"] == {"team": TEAM, "channel": CHANNEL, "thread_ts": message["ts"]}
    mapping = await harness.services.store.threads.get(TEAM, CHANNEL, message["ts"])
    assert mapping is not None and mapping.page_id == page.id

    url = f"{SITE}/wiki/spaces/ENG/pages/{page.id}"
    posted = [c for c in harness.slack.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert len(posted) == 1 and url in posted[0].args["text"]
    assert posted[0].args["thread_ts"] == message["ts"]
    (private,) = _ephemerals(harness)
    assert private["user"] == USER and url in private["text"] and "Saved" in private["text"]


async def test_double_submit_creates_one_page_and_resave_updates_it(
    harness: Harness, space: dict[str, Any]
) -> None:
    message = _seed_thread(harness, 3)
    await message_shortcut(harness, "save_thread", message)
    view = _opened_view(harness)
    values = _save_values(space, "Deploy plan")
    first, second = await asyncio.gather(
        submit(harness, view, values), submit(harness, view, values)
    )
    assert first.status_code == second.status_code == 200
    await harness.settle()
    (page,) = _pages(harness, "Deploy plan")
    assert len(harness.confluence.requests_to("POST", r"/api/v2/pages$")) == 1

    # Slack retries the same submission later: answered with the first result, nothing new.
    await submit(harness, view, values)
    await harness.settle()
    assert len(harness.confluence.requests_to("POST", r"/api/v2/pages$")) == 1
    assert any("Already done" in e["text"] for e in _ephemerals(harness))

    late_file = harness.slack.add_file("F0009", "notes.txt", b"late notes", "text/plain")
    harness.slack.add_message(
        CHANNEL,
        {
            "user": "U0002",
            "text": "a late reply",
            "ts": "1700009999.000300",
            "thread_ts": message["ts"],
            "files": [late_file],
        },
    )
    await message_shortcut(harness, "save_thread", message)
    again = _opened_view(harness)
    assert "already saved" in dump(again["blocks"])
    assert all(b.get("block_id") != views.SPACE_BLOCK for b in again["blocks"])
    await submit(harness, again, _save_values(None, "Deploy plan"))
    await harness.settle()
    (updated,) = _pages(harness, "Deploy plan")
    assert updated.id == page.id
    # The re-save's new file is uploaded as a minor edit: watchers get no email per file.
    uploads = {
        r.form()["file"]: r.form()["minorEdit"]
        for r in harness.confluence.requests_to("PUT", r"/child/attachment$")
    }
    assert uploads[b"late notes"] == b"true"
    (attachment,) = [
        a for a in harness.confluence.by_kind["attachment"].values() if a.blob == b"late notes"
    ]
    assert attachment.data["title"] == "F0009-notes.txt"
    assert attachment.data["version"]["minorEdit"] is True
    assert "a late reply" in updated.storage
    assert updated.data["version"]["number"] == 2
    assert len(page.properties) == 1


async def test_rate_limited_thread_read_waits_and_saves(
    harness: Harness, space: dict[str, Any]
) -> None:
    message = _seed_thread(harness, 3)
    harness.slack.rate_limit("conversations.replies", retry_after=1)
    await _save(harness, message, _save_values(space, "Deploy plan"))
    # (The module's Slack fake may hold more of this thread from earlier tests: more pages.)
    first, second, *_ = harness.slack.calls_to("conversations.replies")
    assert first.args == second.args  # the refused first page, asked again
    assert second.at - first.at >= 1.0  # slack_sdk's retry handler honoured Retry-After
    (page,) = _pages(harness, "Deploy plan")
    assert "reply 2" in page.storage


async def test_title_taken_by_another_page_is_an_inline_error(
    harness: Harness, space: dict[str, Any]
) -> None:
    harness.confluence.add_page("ENG", "Deploy plan", "<p>someone else's</p>")
    message = _seed_thread(harness, 1)
    response, _ = await _save(harness, message, _save_values(space, "Deploy plan"))
    body = response.json()
    assert body["response_action"] == "errors"
    assert "already exists" in body["errors"][views.TITLE_BLOCK]
    assert harness.confluence.requests_to("POST", r"/api/v2/pages$") == []


async def test_lone_message_without_replies_option(harness: Harness, space: dict[str, Any]) -> None:
    lone = {"user": USER, "text": "*Lone* idea", "ts": "1700000500.000100"}
    harness.slack.add_message(CHANNEL, lone)
    await message_shortcut(harness, "save_thread", {**lone, "type": "message"})
    view = _opened_view(harness)
    assert all(b.get("block_id") != views.INCLUDE_BLOCK for b in view["blocks"])
    title_block = next(b for b in view["blocks"] if b.get("block_id") == views.TITLE_BLOCK)
    assert title_block["element"]["initial_value"] == "Lone idea"
    await submit(harness, view, _save_values(space, "Lone idea"))
    await harness.settle()
    (page,) = _pages(harness, "Lone idea")
    assert "<strong>Lone</strong>" in page.storage


def _mentioning(ts: str) -> dict[str, Any]:
    """A message naming a person and a channel by id, as Slack sends it."""
    section = [
        {"type": "user", "user_id": "U0002"},
        {"type": "text", "text": " ships it in "},
        {"type": "channel", "channel_id": CHANNEL},
    ]
    return {
        "user": USER,
        "text": f"<@U0002> ships it in <#{CHANNEL}>",
        "blocks": [
            {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": section}]}
        ],
        "ts": ts,
    }


def _title_of(view: dict[str, Any]) -> str:
    block = next(
        b
        for b in view["blocks"]
        if b.get("block_id") in (views.TITLE_BLOCK, views.TITLE_BLOCK_PARENT)
    )
    return str(block["element"]["initial_value"])


async def test_save_title_prefill_uses_names_not_ids(harness: Harness) -> None:
    message = _mentioning("1700000600.000100")
    harness.slack.add_message(CHANNEL, message)
    await message_shortcut(harness, "save_thread", {**message, "type": "message"})
    assert _title_of(_opened_view(harness)) == "@Other Person ships it in #general"
    assert harness.slack.calls_to("views.update") == []


async def test_save_title_names_that_come_late_retitle_the_open_modal(harness: Harness) -> None:
    """users.info slower than the trigger allows: the modal opens at once, then gets the names."""
    message = _mentioning("1700000700.000100")
    harness.slack.add_message(CHANNEL, message)
    harness.slack.rate_limit("users.info", retry_after=1)
    await message_shortcut(harness, "save_thread", {**message, "type": "message"})
    (update,) = harness.slack.calls_to("views.update")
    assert _title_of(update.args["view"]) == "@Other Person ships it in #general"


async def test_save_title_from_the_thread_parent_uses_names(harness: Harness) -> None:
    parent = _mentioning("1700000800.000100")
    harness.slack.add_message(CHANNEL, parent)
    reply = {"user": USER, "text": "agreed", "ts": "1700000801.000100", "thread_ts": parent["ts"]}
    harness.slack.add_message(CHANNEL, reply)
    await message_shortcut(harness, "save_thread", {**reply, "type": "message"})
    (update,) = harness.slack.calls_to("views.update")
    assert _title_of(update.args["view"]) == "@Other Person ships it in #general"


async def test_reply_without_include_saves_only_that_message(
    harness: Harness, space: dict[str, Any]
) -> None:
    message = _seed_thread(harness, 3)
    reply = {
        "user": USER,
        "text": "reply 1 &amp; more",
        "ts": "1700000002.000200",
        "thread_ts": message["ts"],
        "type": "message",
    }
    await message_shortcut(harness, "save_thread", reply)
    view = _opened_view(harness)
    # Opened with the reply's first line, then retitled after the thread's first message.
    (update,) = harness.slack.calls_to("views.update")
    (title,) = [
        b for b in update.args["view"]["blocks"] if b["block_id"] == views.TITLE_BLOCK_PARENT
    ]
    parent_title = title["element"]["initial_value"]
    assert parent_title == "Deploy plan for Friday <ac:structured-macro/>"
    view = harness.slack.views[view["id"]]
    harness.confluence.add_page("ENG", parent_title)
    taken = {
        **_save_values(space, parent_title, include=False),
        views.TITLE_BLOCK_PARENT: {views.TITLE_ACTION: typed(parent_title)},
    }
    del taken[views.TITLE_BLOCK]
    response = await submit(harness, view, taken)
    assert list(response.json()["errors"]) == [views.TITLE_BLOCK_PARENT]
    await submit(harness, view, _save_values(space, "Just one", include=False))
    await harness.settle()
    (page,) = _pages(harness, "Just one")
    assert "reply 1" in page.storage and "reply 2" not in page.storage
    assert "Deploy plan for Friday" not in page.storage.split("<hr")[1]


async def test_not_in_public_channel_joins_then_saves(
    harness: Harness, space: dict[str, Any]
) -> None:
    harness.slack.add_channel("C0777", "random", members=(USER,))
    message = _seed_thread(harness, 1, channel="C0777")
    await message_shortcut(harness, "save_thread", message, channel_id="C0777")
    await submit(harness, _opened_view(harness), _save_values(space, "Random plan"))
    await harness.settle()
    assert len(harness.slack.calls_to("conversations.join")) == 1
    assert len(_pages(harness, "Random plan")) == 1


async def test_private_channel_without_the_bot_gets_an_invite_hint(
    harness: Harness, space: dict[str, Any]
) -> None:
    harness.slack.add_channel("G0001", "secret", is_private=True, members=(USER,))
    message = _seed_thread(harness, 1, channel="G0001")
    await message_shortcut(harness, "save_thread", message, channel_id="G0001")
    await submit(harness, _opened_view(harness), _save_values(space, "Secret plan"))
    await harness.settle()
    assert _pages(harness, "Secret plan") == []
    told = [
        c for c in harness.slack.calls if c.method in {"chat.postEphemeral", "chat.postMessage"}
    ]
    assert len(told) == 1 and "/invite @Confluence" in told[0].args["text"]
    assert harness.slack.calls_to("conversations.join") == []  # private: no join attempt


async def test_expired_trigger_tells_the_user_to_try_again(harness: Harness) -> None:
    harness.slack.fail("views.open", "expired_trigger_id")
    message = _seed_thread(harness, 1)
    await message_shortcut(harness, "save_thread", message)
    (note,) = _ephemerals(harness)
    assert note["user"] == USER and "try again" in note["text"]


# ---------------------------------------------------------------- options loads


async def test_space_and_parent_options(harness: Harness, space: dict[str, Any]) -> None:
    harness.confluence.add_page("ENG", "Runbooks")
    harness.confluence.add_page("ENG", "Release notes")
    harness.confluence.add_page("OPS", "Runbooks for ops")
    await global_shortcut(harness, "create_page")
    view = _opened_view(harness)

    found = await options_load(harness, view, views.SPACE_ACTION, views.SPACE_BLOCK, "eng")
    assert [o["value"] for o in found["options"]] == [f"{space['id']}|ENG"]
    assert found["options"][0]["text"]["text"] == "Engineering (ENG)"
    everything = await options_load(harness, view, views.SPACE_ACTION, views.SPACE_BLOCK, "")
    assert len(everything["options"]) == 2

    nothing = await options_load(harness, view, views.PARENT_ACTION, "parent-none", "run")
    assert nothing == {"options": []}
    state = {views.SPACE_BLOCK: {views.SPACE_ACTION: selected(f"{space['id']}|ENG")}}
    parents = await options_load(harness, view, views.PARENT_ACTION, "parent-none", "run", state)
    assert [o["text"]["text"] for o in parents["options"]] == ["Runbooks"]

    # Choosing the space rebuilds the modal, keeping the space for the parent type-ahead.
    await view_action(
        harness,
        view,
        views.SPACE_ACTION,
        views.SPACE_BLOCK,
        state[views.SPACE_BLOCK][views.SPACE_ACTION]["selected_option"],
        state,
    )
    (update,) = harness.slack.calls_to("views.update")
    assert f"{space['id']}|ENG" in update.args["view"]["private_metadata"]
    assert validate_view(update.args["view"]) == []
    updated = harness.slack.views[view["id"]]
    from_meta = await options_load(
        harness, updated, views.PARENT_ACTION, f"parent-{space['id']}", "rel"
    )
    assert [o["text"]["text"] for o in from_meta["options"]] == ["Release notes"]


async def test_options_load_failure_shows_in_the_list_and_cannot_be_chosen(
    harness: Harness, space: dict[str, Any]
) -> None:
    await global_shortcut(harness, "create_page")
    view = _opened_view(harness)
    harness.confluence.fail(r"/spaces$", 503, times=5, headers={"Retry-After": "0"})
    found = await options_load(harness, view, views.SPACE_ACTION, views.SPACE_BLOCK, "eng")
    [problem] = found["options"]
    assert "Confluence isn't answering" in problem["text"]["text"]
    assert len(problem["text"]["text"]) <= 75  # Slack's limit for option text
    chosen = {views.SPACE_BLOCK: {views.SPACE_ACTION: selected(problem["value"])}}
    answer = await submit(harness, view, {**_create_values(space, "T", ""), **chosen})
    assert answer.json()["errors"][views.SPACE_BLOCK] == "Choose a space."
    bad_parent = {"parent-none": {views.PARENT_ACTION: selected(problem["value"])}}
    answer = await submit(harness, view, {**_create_values(space, "T", ""), **bad_parent})
    assert "parent-none" in answer.json()["errors"]
    assert harness.confluence.requests_to("POST", r"/api/v2/pages$") == []


async def test_options_are_capped_at_100(harness: Harness) -> None:
    for i in range(120):
        harness.confluence.add_space(f"S{i:03d}", f"Space {i}")
    await global_shortcut(harness, "create_page")
    found = await options_load(
        harness, _opened_view(harness), views.SPACE_ACTION, views.SPACE_BLOCK, "space"
    )
    assert len(found["options"]) == 100


# ---------------------------------------------------------------- create page


def _create_values(space: dict[str, Any], title: str, body: str) -> dict[str, Any]:
    return {
        views.SPACE_BLOCK: {views.SPACE_ACTION: selected(f"{space['id']}|{space['key']}")},
        "parent-none": {views.PARENT_ACTION: {"type": "external_select", "selected_option": None}},
        views.TITLE_BLOCK: {views.TITLE_ACTION: typed(title)},
        views.BODY_BLOCK: {views.BODY_ACTION: typed(body)},
    }


async def test_create_page_from_the_global_shortcut(
    harness: Harness, space: dict[str, Any]
) -> None:
    await global_shortcut(harness, "create_page")
    view = _opened_view(harness)
    response = await submit(harness, view, _create_values(space, "New idea", "*bold* & <b>raw</b>"))
    assert response.status_code == 200 and response.content in (b"", b"{}")
    await harness.settle()
    (page,) = _pages(harness, "New idea")
    assert "<strong>bold</strong> &amp; &lt;b&gt;raw&lt;/b&gt;" in page.storage
    assert "Posted from Slack by someone" in page.storage
    dms = [c for c in harness.slack.calls_to("chat.postMessage") if c.args.get("channel") == USER]
    assert len(dms) == 1 and f"{SITE}/wiki/spaces/ENG/pages/{page.id}" in dms[0].args["text"]


async def test_control_characters_never_reach_confluence_titles(
    harness: Harness, space: dict[str, Any]
) -> None:
    await global_shortcut(harness, "create_page")
    values = _create_values(space, "New\x00 idea\t2\x7f\u0085\x1b[31m", "body")
    await submit(harness, _opened_view(harness), values)
    message = _seed_thread(harness, 1)
    await _save(harness, message, _save_values(space, "Deploy\tplan\r\n\x00Friday"))
    await harness.settle()
    titles = sorted(item.data["title"] for item in harness.confluence.by_kind["page"].values())
    assert titles == ["Deploy plan Friday", "New idea 2 [31m"]  # NEL is a line break
    # A title of nothing but control characters is no title.
    await global_shortcut(harness, "create_page")
    response = await submit(
        harness, _opened_view(harness), _create_values(space, "\x00\t\x01", "x")
    )
    assert response.json()["errors"][views.TITLE_BLOCK] == "Give the page a title."


async def test_create_page_duplicate_title_is_an_inline_error(
    harness: Harness, space: dict[str, Any]
) -> None:
    harness.confluence.add_page("ENG", "Taken")
    await global_shortcut(harness, "create_page")
    response = await submit(harness, _opened_view(harness), _create_values(space, "Taken", "x"))
    body = response.json()
    assert (
        body["response_action"] == "errors"
        and "already exists" in body["errors"][views.TITLE_BLOCK]
    )
    await harness.settle()
    assert len(_pages(harness, "Taken")) == 1
    assert harness.slack.calls_to("chat.postMessage") == []


async def test_slash_create_opens_the_modal_with_the_title(harness: Harness) -> None:
    response, url = await harness.command("create Weekly notes")
    assert response.status_code == 200
    view = harness.slack.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == views.CREATE_VIEW
    title = next(b for b in view["blocks"] if b.get("block_id") == views.TITLE_BLOCK)
    assert title["element"]["initial_value"] == "Weekly notes"
    assert harness.answers(url) == []


async def test_slash_create_with_expired_trigger_says_try_again(harness: Harness) -> None:
    harness.slack.fail("views.open", "expired_trigger_id")
    _, url = await harness.command("create Weekly notes")
    (answer,) = harness.answers(url)
    assert answer["response_type"] == "ephemeral" and "try again" in answer["text"]


# ---------------------------------------------------------------- comments


async def test_comment_shortcut_preselects_the_linked_page_and_comments(
    harness: Harness, space: dict[str, Any]
) -> None:
    page = harness.confluence.add_page("ENG", "Deploy checklist")
    url = f"{SITE}/wiki/spaces/ENG/pages/{page['id']}/Deploy+checklist"
    message = {
        "type": "message",
        "user": "U0002",
        "text": f"See <{url}|the checklist> &amp; check <@U0002>",
        "ts": "1700000600.000100",
    }
    harness.slack.add_message(CHANNEL, message)
    await message_shortcut(harness, "comment_on_page", message)
    view = _opened_view(harness)
    picker = next(b for b in view["blocks"] if b.get("block_id") == views.PAGE_BLOCK)
    assert picker["element"]["initial_option"]["value"] == page["id"]
    assert picker["element"]["initial_option"]["text"]["text"] == "Deploy checklist"
    text = next(b for b in view["blocks"] if b.get("block_id") == views.TEXT_BLOCK)
    prefilled = text["element"]["initial_value"]
    assert prefilled.startswith("See <") and "&amp;" not in prefilled

    options = await options_load(harness, view, views.PAGE_ACTION, views.PAGE_BLOCK, "deploy che")
    assert [o["value"] for o in options["options"]] == [page["id"]]

    values = {
        views.PAGE_BLOCK: {views.PAGE_ACTION: selected(page["id"])},
        views.TEXT_BLOCK: {views.TEXT_ACTION: typed(prefilled)},
    }
    response = await submit(harness, view, values)
    assert response.status_code == 200
    await harness.settle()
    (comment,) = harness.confluence.by_kind["footer"].values()
    assert comment.data["pageId"] == page["id"]
    assert '<a href="' + url + '">the checklist</a>' in comment.storage
    assert "@Other Person" in comment.storage and "&amp; check" in comment.storage
    (note,) = _ephemerals(harness)
    assert f"{SITE}/wiki/spaces/ENG/pages/{page['id']}" in note["text"]


async def test_comment_shortcut_on_a_blog_post_link_comments_on_the_blog_post(
    harness: Harness, space: dict[str, Any]
) -> None:
    post = harness.confluence.add_blogpost("ENG", "Release notes")
    url = f"{SITE}/wiki/spaces/ENG/blog/2026/11/28/{post['id']}/Release+notes"
    message = {"type": "message", "user": "U0002", "text": f"<{url}>", "ts": "1700000601.000100"}
    harness.slack.add_message(CHANNEL, message)
    await message_shortcut(harness, "comment_on_page", message)
    view = _opened_view(harness)
    picker = next(b for b in view["blocks"] if b.get("block_id") == views.PAGE_BLOCK)
    value = picker["element"]["initial_option"]["value"]
    values = {
        views.PAGE_BLOCK: {views.PAGE_ACTION: selected(value)},
        views.TEXT_BLOCK: {views.TEXT_ACTION: typed("Great release")},
    }
    await submit(harness, view, values)
    await harness.settle()
    (comment,) = harness.confluence.by_kind["footer"].values()
    assert comment.data["blogPostId"] == post["id"]
    assert "Comment added" in _ephemerals(harness)[0]["text"]


async def test_links_to_another_site_are_not_comment_targets(
    harness: Harness, space: dict[str, Any]
) -> None:
    page = harness.confluence.add_page("ENG", "Ours")
    elsewhere = f"https://other.atlassian.net/wiki/spaces/X/pages/{page['id']}/Theirs"
    _, url = await harness.command(f"comment {elsewhere} hello")
    assert "other.atlassian.net" in harness.answer_text(url)
    message = {"type": "message", "user": "U0002", "text": elsewhere, "ts": "1700000602.000100"}
    harness.slack.add_message(CHANNEL, message)
    await message_shortcut(harness, "comment_on_page", message)
    picker = next(
        b for b in _opened_view(harness)["blocks"] if b.get("block_id") == views.PAGE_BLOCK
    )
    assert "initial_option" not in picker["element"]  # not preselected
    assert harness.confluence.by_kind.get("footer", {}) == {}


@pytest.mark.parametrize(
    "template",
    [
        "https://evil.com\\@acme.atlassian.net/wiki/spaces/ENG/pages/{id}/X",
        "https://someone:pw@acme.atlassian.net/wiki/spaces/ENG/pages/{id}/X",
    ],
)
async def test_lookalike_links_are_not_comment_targets(
    harness: Harness, space: dict[str, Any], template: str
) -> None:
    page = harness.confluence.add_page("ENG", "Ours")
    lookalike = template.format(id=page["id"])
    _, url = await harness.command(f"comment {lookalike} hello")
    text = harness.answer_text(url)
    assert "Comment added" not in text and "isn't a plain link" in text
    message = {"type": "message", "user": "U0002", "text": lookalike, "ts": "1700000603.000100"}
    harness.slack.add_message(CHANNEL, message)
    await message_shortcut(harness, "comment_on_page", message)
    picker = next(
        b for b in _opened_view(harness)["blocks"] if b.get("block_id") == views.PAGE_BLOCK
    )
    assert "initial_option" not in picker["element"]
    assert harness.confluence.by_kind.get("footer", {}) == {}


async def test_comment_on_a_missing_page_is_an_inline_error(harness: Harness) -> None:
    await message_shortcut(
        harness, "comment_on_page", {"type": "message", "user": USER, "text": "hi", "ts": "1.2"}
    )
    view = _opened_view(harness)
    values = {
        views.PAGE_BLOCK: {views.PAGE_ACTION: selected("999999")},
        views.TEXT_BLOCK: {views.TEXT_ACTION: typed("hi")},
    }
    response = await submit(harness, view, values)
    body = response.json()
    assert body["response_action"] == "errors" and views.PAGE_BLOCK in body["errors"]
    assert "footer" not in harness.confluence.by_kind


async def test_slash_comment_by_url_and_by_id(harness: Harness, space: dict[str, Any]) -> None:
    page = harness.confluence.add_page("ENG", "Runbook")
    _, url = await harness.command(
        f"comment {SITE}/wiki/spaces/ENG/pages/{page['id']}/Runbook nice *work*"
    )
    (answer,) = harness.answers(url)
    assert "Comment added" in answer["text"] and f"/pages/{page['id']}" in answer["text"]
    _, url = await harness.command(f"comment {page['id']} second")
    comments = list(harness.confluence.by_kind["footer"].values())
    assert len(comments) == 2
    assert "nice <strong>work</strong>" in comments[0].storage
    assert "Posted from Slack by someone" in comments[1].storage


@pytest.mark.parametrize(
    "args",
    [
        "comment",
        "comment 123",
        "comment    ",
        "comment not-a-page hello",
        "comment https://example.com/x hi",
    ],
)
async def test_slash_comment_bad_input_shows_usage_and_creates_nothing(
    harness: Harness, args: str
) -> None:
    _, url = await harness.command(args)
    (answer,) = harness.answers(url)
    assert answer["response_type"] == "ephemeral" and "Usage" in answer["text"]
    assert harness.confluence.requests == []
