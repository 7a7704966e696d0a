"""Golden cases: `cases/<name>.json` (the input) -> `cases/<name>.xml` (the expected storage).

The `.xml` side is written for people: blocks on their own lines, nested lists indented. A newline
followed by indentation is layout there, never content (the converter writes line breaks as
`<br/>`), so canonicalisation drops it outside code bodies, then compares C14N forms (attribute
order, quoting, empty-tag spelling and CDATA-vs-escaped text no longer matter).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree

from bot.convert import (
    FileOutcome,
    Names,
    ThreadContext,
    message_to_storage,
    mrkdwn_to_storage,
    thread_to_storage,
)
from bot.convert.storage import AC_NS, parse_fragment

CASES_DIR = Path(__file__).parent / "cases"
_VERBATIM = frozenset({f"{{{AC_NS}}}plain-text-body", f"{{{AC_NS}}}plain-text-link-body"})
_LAYOUT = re.compile(r"\n[ ]*")


def _root(storage: str) -> etree._Element:
    root = parse_fragment(storage)
    assert root is not None, f"not well-formed storage: {storage!r}"
    return root


def canonical(storage: str) -> str:
    root = _root(storage)
    for el in root.iter():
        if el.text and el.tag not in _VERBATIM:
            el.text = _LAYOUT.sub("", el.text)
        if el.tail:
            el.tail = _LAYOUT.sub("", el.tail)
    return etree.tostring(root, method="c14n").decode()


def newlines_outside_code(storage: str) -> list[str]:
    """Text pieces holding a newline outside code bodies (the converter writes `<br/>`)."""
    root = _root(storage)
    found = [el.text for el in root.iter() if el.text and el.tag not in _VERBATIM]
    found += [el.tail for el in root.iter() if el.tail]
    return [text for text in found if "\n" in text]


def load(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return case


def expected(path: Path) -> str:
    return path.with_suffix(".xml").read_text(encoding="utf-8")


def _files(raw: dict[str, Any] | None) -> dict[str, FileOutcome]:
    return {key: FileOutcome(**value) for key, value in (raw or {}).items()}


def run_case(case: dict[str, Any]) -> str:
    names = Names(**case.get("names", {}))
    if "mrkdwn" in case:
        return mrkdwn_to_storage(case["mrkdwn"], names, attribution=case.get("attribution"))
    if "messages" in case:
        ctx = dict(case["context"])
        ctx["tz"] = ZoneInfo(ctx["tz"])
        ctx["files"] = _files(ctx.get("files"))
        return thread_to_storage(case["messages"], ThreadContext(names=names, **ctx))
    tz = ZoneInfo(case.get("tz", "UTC"))
    return message_to_storage(case["message"], names, _files(case.get("files")), tz=tz)
