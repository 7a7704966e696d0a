"""Golden cases: tests/convert/cases/*.json, compared after XML canonicalisation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .golden import canonical, run_case

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return case


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_case(path: Path) -> None:
    case = _load(path)
    assert case["name"] == path.stem
    actual = run_case(case)
    if not case["expected"]:
        assert actual == ""
    else:
        assert canonical(actual) == canonical(case["expected"])


def _types(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("type"), str):
            found.add(node["type"])
        for value in node.values():
            _types(value, found)
    elif isinstance(node, list):
        for value in node:
            _types(value, found)


def test_cases_cover_every_rich_text_element_type() -> None:
    found: set[str] = set()
    for path in CASES:
        _types(_load(path), found)
    required = {
        "rich_text_section", "rich_text_list", "rich_text_preformatted", "rich_text_quote",
        "text", "link", "user", "usergroup", "channel", "emoji", "broadcast", "date", "color",
    }  # fmt: skip
    assert required <= found


def test_output_has_no_namespace_declarations() -> None:
    for path in CASES:
        assert "xmlns" not in run_case(_load(path))
