from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.convert import ThreadContext, is_well_formed_storage, thread_order, thread_to_storage


def test_thread_order_puts_unusable_ts_last_in_given_order() -> None:
    messages: list[dict[str, Any]] = [
        {"ts": "30"},
        {"ts": {"not": "a ts"}},
        {"ts": "10"},
        {"ts": True},
        {},
        {"ts": 20},
        {"ts": "inf"},
        {"ts": "10"},
    ]
    ordered = thread_order(messages)
    assert [m.get("ts") for m in ordered] == [
        "10", "10", 20, "30", {"not": "a ts"}, True, None, "inf"
    ]  # fmt: skip
    assert ordered[0] is messages[2]  # equal times keep their order


def test_thread_with_only_bad_ts_still_saves() -> None:
    ctx = ThreadContext(channel_name="c", permalink=None, tz=ZoneInfo("UTC"), saved_by="Ann")
    storage = thread_to_storage([{"user": "U1", "ts": "x", "text": "hi"}], ctx)
    assert is_well_formed_storage(storage)
    assert "<strong>Date:</strong> none" in storage
    assert '<em>(bad message: timestamp "x" is not a number)</em>' in storage
