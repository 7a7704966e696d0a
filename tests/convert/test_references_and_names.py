from __future__ import annotations

from bot.convert import Names, References, collect_references, message_to_storage
from bot.convert.emojis import render_emoji


def test_collect_references_from_rich_text_mrkdwn_and_authors() -> None:
    messages = [
        {
            "user": "U1",
            "blocks": [
                {
                    "type": "rich_text",
                    "elements": [
                        {
                            "type": "rich_text_list",
                            "elements": [
                                {
                                    "type": "rich_text_section",
                                    "elements": [
                                        {"type": "user", "user_id": "U2"},
                                        {"type": "usergroup", "usergroup_id": "S1"},
                                        {"type": "channel", "channel_id": "C1"},
                                    ],
                                }
                            ],
                        }
                    ],
                }
            ],
        },
        {"user": "U3", "text": "hi <@U4> <#C2|x> <!subteam^S2|@g>"},
        {"subtype": "bot_message", "user": "UBOT", "text": "<@U5>"},
        {"user": "U6", "subtype": "message_deleted", "text": "<@U7>"},
    ]
    refs = collect_references(messages)
    assert refs == References(
        frozenset({"U1", "U2", "U3", "U4", "U5"}), frozenset({"S1", "S2"}), frozenset({"C1", "C2"})
    )


def test_collect_references_from_newer_elements() -> None:
    section = {
        "type": "rich_text_section",
        "elements": [
            {"type": "canvas_user_mention", "user_id": "U8"},
            {"type": "message_mention", "channel_id": "C5", "message_ts": "1720710212.123456"},
            {"type": "canvas_message_unfurl", "root_message_ts": "1", "root_message_channel": "C6"},
        ],
    }
    message = {"user": "U1", "blocks": [{"type": "rich_text", "elements": [section]}]}
    refs = collect_references([message])
    assert refs.user_ids == {"U1", "U8"}
    assert refs.channel_ids == {"C5", "C6"}


def test_collect_references_from_layout_blocks() -> None:
    message = {
        "bot_id": "B1",
        "subtype": "bot_message",
        "text": "<@U7> fallback only",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "<@U8> in <#C3>"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "<!subteam^S4>"}]},
        ],
    }
    refs = collect_references([message])
    assert refs == References(frozenset({"U8"}), frozenset({"S4"}), frozenset({"C3"}))


def test_collect_references_from_attachments() -> None:
    attachment = {
        "mrkdwn_in": ["text"],
        "pretext": "<@U2>",
        "text": "<#C2>",
        "fields": [{"title": "who", "value": "<!subteam^S2>"}],
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "<@U3>"}}],
    }
    refs = collect_references([{"bot_id": "B1", "attachments": [attachment]}])
    assert refs == References(frozenset({"U2", "U3"}), frozenset({"S2"}), frozenset({"C2"}))


def test_bot_messages_are_attributed_by_bot_name() -> None:
    from bot.convert.message import author_name

    names = Names(users={"U1": "Ann"})
    assert author_name({"subtype": "bot_message", "username": "ci"}, names) == "ci"
    assert author_name({"bot_id": "B1", "bot_profile": {"name": "Deploy"}}, names) == "Deploy"
    assert author_name({"user": "U1"}, names) == "Ann"
    assert author_name({"user": "U9"}, names) == "U9"


def test_hidden_messages_render_nothing() -> None:
    assert message_to_storage({"hidden": True, "text": "x"}, Names()) == ""


def test_emoji_aliases_skin_tones_and_custom() -> None:
    assert render_emoji("thumbsup") == render_emoji("+1") == "👍"
    assert render_emoji("thumbsup", skin_tone=2) == "👍\U0001f3fb"
    assert render_emoji("flag-jp") == "🇯🇵"
    assert render_emoji("our-logo") == ":our-logo:"
    assert render_emoji("x", unicode="1f600") == "😀"
