"""Real-shaped Slack payloads from ../shared (skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.convert import Names, collect_references, is_well_formed_storage, message_to_storage
from bot.convert.storage import parse_fragment
from tests.shared_specs import SPECS, missing

SLACK = SPECS / "slack"
PAYLOADS = SLACK / "payloads"


def _load(relative: str, base: Path = PAYLOADS) -> object:
    path = base / relative
    if not path.is_file():
        pytest.skip(missing("a real-shaped Slack payload", path))
    return json.loads(path.read_text(encoding="utf-8"))


def test_python_sdk_rich_text_blocks() -> None:
    blocks = _load("python-slack-sdk/rich_text_blocks.from_test_blocks.json")
    message = {"type": "message", "user": "U1", "blocks": blocks}
    storage = message_to_storage(message, Names(users={"WJC6QG0MS": "Ann"}))
    assert is_well_formed_storage(storage)
    root = parse_fragment(storage)
    assert root is not None
    text = "".join(root.itertext())
    for expected in ("Hey!", "very", "Slack website!", "BBB", "this is very important", "@Ann"):
        assert expected in text
    assert storage.count('<ac:structured-macro ac:name="code">') == 3
    assert collect_references([message]).usergroup_ids == {"S01BL602YLU"}


def test_bolt_message_shortcut_message() -> None:
    payload = _load("bolt-python/message_action.rich_text.json")
    assert isinstance(payload, dict)
    message = payload["message"]
    assert message_to_storage(message, Names(users={"U222": "Bo"})) == "<p>@Bo test</p>"
    assert collect_references([message]).user_ids == {"W111", "U222"}


def _visible(storage: str) -> str:
    root = parse_fragment(storage)
    assert root is not None
    return "".join(root.itertext())


def test_java_sdk_bot_message_with_a_message_unfurl_attachment() -> None:
    payload = _load(
        "java-slack-sdk/message_action.bot_message_with_edited_and_unfurl_attachment_files.json"
    )
    assert isinstance(payload, dict)
    storage = message_to_storage(payload["message"], Names())
    assert storage.startswith(
        '<p>Here is the uploaded file: <a href="https://xxx.slack.com/archives/C111/xxx">'
    )
    quote = storage[storage.index("<blockquote>") :]
    assert '<a href="https://seratch.slack.com/team/U111">Testing Bot</a>' in quote
    assert "<p>Uploading a file...</p>" in quote
    assert "Posted in #random · Dec 16, 2020 04:45" in quote  # footer and ts, in UTC
    assert storage.endswith("<p><em>(edited)</em></p>")


def test_python_sdk_layout_blocks_as_a_bot_message() -> None:
    view = _load("views/view_home_001.json", SLACK)
    assert isinstance(view, dict)
    message = {"type": "message", "bot_id": "B1", "text": "fallback", "blocks": view["blocks"]}
    storage = message_to_storage(message, Names())
    text = _visible(storage)
    assert "This is a plain text section block." in text
    assert "Last updated: Jan 1, 2019" in text
    assert "fallback" not in text
    assert (
        '<a href="https://api.slack.com/img/blocks/bkb_template_images/beagle.png">image1</a>'
        in (storage)
    )
    assert "<hr/>" in storage
    assert "*this is plain_text text*" in text  # plain_text fields keep their asterisks
    assert "This is a section block with <em>another</em> fields" in storage
    assert "Choice 1" not in text and "this is mrkdwn text" not in text  # controls' options


def test_merged_shape_messages_convert_without_raising() -> None:
    """Slack's union-of-all-fields message shapes (java-slack-sdk json-logs)."""
    replies = _load("shapes/api/conversations.replies.json", SLACK)
    event = _load("shapes/events/MessageBotPayload.json", SLACK)
    assert isinstance(replies, dict) and isinstance(event, dict)
    for message in [*replies["messages"], event["event"]]:
        assert is_well_formed_storage(message_to_storage(message, Names()))
        collect_references([message])
