"""Payload fields of the wrong JSON type never make a conversion raise."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.convert import (
    Names,
    ThreadContext,
    collect_references,
    is_well_formed_storage,
    message_to_storage,
    thread_to_storage,
)


def _rich(*elements: Any) -> dict[str, Any]:
    return {"blocks": [{"type": "rich_text", "elements": list(elements)}]}


def _inline(*elements: Any) -> dict[str, Any]:
    return _rich({"type": "rich_text_section", "elements": list(elements)})


MALFORMED = [
    {"blocks": 5},
    {"blocks": [{"type": [], "text": {"type": "plain_text", "text": "hi"}}, {"type": {}}]},
    {"blocks": [{"type": "section", "fields": 5, "text": 5}]},
    {"blocks": [{"type": "context", "elements": 5}]},
    {"blocks": [{"type": "table", "rows": [[{"type": "rich_text", "elements": 5}], 5]}]},
    {"blocks": [{"type": "header", "text": {"type": "plain_text", "text": 5}}]},
    {"blocks": [{"type": "image", "image_url": 5, "alt_text": 5, "slack_file": 5}]},
    {"blocks": [{"type": "rich_text", "elements": 5}]},
    _rich({"type": "rich_text_section", "elements": 5}),
    _rich({"type": "rich_text_list", "elements": 5, "indent": "2", "offset": "x"}),
    _rich({"type": "rich_text_list", "elements": [{"elements": 5}], "indent": 10**9}),
    _rich({"type": "rich_text_preformatted", "elements": "abc"}),
    _inline({"type": "emoji", "name": 5, "unicode": 5, "skin_tone": "2"}),
    _inline({"type": "user", "user_id": {}, "fallback": []}),
    _inline({"type": "date", "timestamp": [1], "format": 5, "fallback": 5, "url": 5}),
    _inline({"type": "link", "url": 5, "text": 5}),
    _inline({"type": "color", "value": 5}),
    _inline({"type": 5, "text": 5}),
    {"attachments": 5},
    {"attachments": [{"fields": 5, "mrkdwn_in": "text", "blocks": 5, "ts": [1]}]},
    {"attachments": [{"fields": [{"title": 5, "value": [1]}], "title": 5, "text": 5}]},
    {"files": 5},
    {"text": 5, "ts": [1], "user": 5, "edited": 5},
]


@pytest.mark.parametrize("message", MALFORMED, ids=[str(i) for i in range(len(MALFORMED))])
def test_wrong_types_degrade_without_raising(message: dict[str, Any]) -> None:
    assert is_well_formed_storage(message_to_storage(message, Names()))
    collect_references([message])
    ctx = ThreadContext(channel_name="c", permalink=None, tz=ZoneInfo("UTC"), saved_by="A")
    assert is_well_formed_storage(thread_to_storage([message], ctx))
