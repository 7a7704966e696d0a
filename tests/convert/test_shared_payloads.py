"""Real-shaped Slack payloads from ../shared (skipped when absent)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.convert import Names, collect_references, is_well_formed_storage, message_to_storage
from bot.convert.storage import parse_fragment
from tests.shared_specs import missing

SHARED = Path(os.environ.get("SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
PAYLOADS = SHARED / "specs" / "slack" / "payloads"


def _load(relative: str) -> object:
    path = PAYLOADS / relative
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
