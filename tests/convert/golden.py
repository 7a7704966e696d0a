"""Runs one golden case file and canonicalises storage for comparison."""

from __future__ import annotations

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
from bot.convert.storage import parse_fragment


def canonical(storage: str) -> str:
    """C14N of the fragment inside a namespaced wrapper (attribute order, quoting, empty-tag
    spelling and CDATA-vs-escaped text no longer matter)."""
    root = parse_fragment(storage)
    assert root is not None, f"not well-formed storage: {storage!r}"
    return etree.tostring(root, method="c14n").decode()


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
