"""Writing inline runs: structure that keeps conversion linear in the number of pieces."""

from __future__ import annotations

from bot.convert import Names, message_to_storage
from bot.convert.storage import last_child, new_root, sub


def _section(*elements: dict[str, object]) -> dict[str, object]:
    section = {"type": "rich_text_section", "elements": list(elements)}
    return {"type": "message", "blocks": [{"type": "rich_text", "elements": [section]}]}


def test_neighbouring_runs_of_one_format_become_one_element() -> None:
    bold = {"bold": True}
    message = _section(
        {"type": "text", "text": "a", "style": bold},
        {"type": "text", "text": "b", "style": bold},
        {"type": "user", "user_id": "U1"},
        {"type": "text", "text": " and "},
        {"type": "link", "url": "https://e.x", "text": "one"},
        {"type": "link", "url": "https://e.x", "text": "two"},
    )
    storage = message_to_storage(message, Names(users={"U1": "Ann"}))
    assert storage == '<p><strong>ab</strong>@Ann and <a href="https://e.x">onetwo</a></p>'


def test_many_pieces_keep_their_order_and_line_breaks() -> None:
    pieces = [{"type": "text", "text": f"{i}\n" if i % 3 else f"{i}", "style": {"bold": i % 2 == 0}}
              for i in range(3000)]  # fmt: skip
    storage = message_to_storage(_section(*pieces), Names())
    assert storage.count("<br/>") == sum(1 for i in range(3000) if i % 3) - 1  # last one trimmed
    assert storage.index(">2998<") < storage.index(">2999<")


def test_last_child_without_counting() -> None:
    root = new_root()
    assert last_child(root) is None
    sub(root, "p")
    last = sub(root, "hr")
    assert last_child(root) is last
