"""Golden cases: tests/convert/cases/<name>.json in, <name>.xml out, compared canonically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .golden import CASES_DIR, canonical, expected, load, newlines_outside_code, run_case

CASES = sorted(CASES_DIR.glob("*.json"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_case(path: Path) -> None:
    case = load(path)
    assert case["name"] == path.stem
    actual = run_case(case)
    want = expected(path)
    if not want.strip():
        assert actual == ""
        return
    assert canonical(actual) == canonical(want)
    assert newlines_outside_code(actual) == []


def test_every_case_has_its_expected_storage() -> None:
    assert CASES
    assert sorted(p.stem for p in CASES_DIR.glob("*.xml")) == [p.stem for p in CASES]


def test_canonical_ignores_layout_but_not_spaces_or_code() -> None:
    assert canonical("<ul>\n  <li>a</li>\n</ul>") == canonical("<ul><li>a</li></ul>")
    assert canonical("<p><b>a</b> <i>b</i></p>") != canonical("<p><b>a</b><i>b</i></p>")
    code = '<ac:structured-macro ac:name="code"><ac:plain-text-body>{}</ac:plain-text-body></ac:structured-macro>'
    assert canonical(code.format("a\n  b")) != canonical(code.format("ab"))


def _types(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("type"), str):
            found.add(node["type"])
        for value in node.values():
            _types(value, found)
    elif isinstance(node, list):
        for value in node:
            _types(value, found)


def test_cases_cover_every_element_and_block_type() -> None:
    found: set[str] = set()
    for path in CASES:
        _types(load(path), found)
    required = {
        "rich_text_section", "rich_text_list", "rich_text_preformatted", "rich_text_quote",
        "text", "link", "user", "usergroup", "channel", "emoji", "broadcast", "date", "color",
        "team", "message_mention", "canvas", "canvas_user_mention", "workflow_mention",
        "header", "section", "context", "image", "divider", "table", "markdown", "actions",
    }  # fmt: skip
    assert required <= found


def test_cases_cover_legacy_attachments() -> None:
    fields: set[str] = set()
    for path in CASES:
        message = load(path).get("message") or {}
        for attachment in message.get("attachments") or []:
            fields |= set(attachment)
    assert {
        "pretext", "author_name", "author_link", "title", "title_link", "text", "fields",
        "image_url", "footer", "ts", "mrkdwn_in", "fallback", "blocks", "color",
    } <= fields  # fmt: skip


def test_output_has_no_namespace_declarations() -> None:
    for path in CASES:
        assert "xmlns" not in run_case(load(path))
