"""Slack `rich_text` blocks -> storage elements (appended to an lxml parent)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from functools import lru_cache
from typing import Any, NamedTuple, TypeGuard
from urllib.parse import urlsplit

from lxml import etree

from .emojis import render_emoji
from .models import Names
from .slack_dates import format_slack_date
from .storage import add_code_macro, append_text, last_child, sub

_STYLE_TAGS = (
    ("bold", "strong"),
    ("italic", "em"),
    ("strike", "s"),
    ("underline", "u"),
    ("code", "code"),
)
_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "tel", "slack"})
_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{3,8}")
# Where newer elements (message_mention, canvas, workflow_mention, ...) keep their visible text.
_VISIBLE_KEYS = ("text", "label", "name", "title", "fallback")


# Block-level shapes beyond rich_text, built by layout.py and attachments.py. They carry
# INTERNAL under INTERNAL_KEY, a value no JSON payload can hold, so Slack input never takes
# these paths.
INTERNAL_KEY = "convert"
INTERNAL = object()
HEADING, DIVIDER, QUOTE, TABLE = "heading", "divider", "quote", "table"


def internal(kind: str, elements: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """A block-level element of one of the kinds above; `elements` are its children (for a
    table: rows, each `{"elements": cells}`, each cell `{"elements": block-level elements}`)."""
    return {"type": kind, INTERNAL_KEY: INTERNAL, "elements": list(elements)}


@dataclass(frozen=True)
class RenderEnv:
    names: Names = field(default_factory=Names)
    tz: tzinfo = UTC


class _Run(NamedTuple):
    text: str
    style: Mapping[str, Any]
    href: str | None = None
    color: str | None = None


def is_mapping(value: object) -> TypeGuard[Mapping[str, Any]]:
    # Payloads are JSON dicts; the exact-type test skips the slow ABC check in hot loops.
    return type(value) is dict or isinstance(value, Mapping)


@lru_cache(maxsize=4096)
def is_safe_href(url: str) -> bool:
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return False
    return scheme in _SAFE_SCHEMES


def _name(mapping: Mapping[str, str], key: str, fallback: object) -> str:
    return mapping.get(key) or (str(fallback) if fallback else key)


def items(value: object) -> list[Any]:
    """`value` when it is a list (payload fields can hold anything), else []."""
    return value if isinstance(value, list) else []


def str_or_empty(value: object) -> str:
    """`value` when it is a string (payload fields can hold anything), else ""."""
    return value if isinstance(value, str) else ""


def _other(el: Mapping[str, Any], kind: str, style: Mapping[str, Any], names: Names) -> _Run:
    """Elements newer than this code (and unknown ones): their visible text or link, else a
    bracketed type name, never nothing."""
    url = str_or_empty(el.get("url")) or None
    text = next((str_or_empty(el.get(k)) for k in _VISIBLE_KEYS if str_or_empty(el.get(k))), "")
    if not text and kind in ("message_mention", "canvas_message_unfurl"):
        cid = str_or_empty(el.get("channel_id") or el.get("root_message_channel"))
        text = "message in #" + _name(names.channels, cid, None).lstrip("#")
    elif not text and kind == "canvas":
        text = f"canvas {str_or_empty(el.get('file_id'))}".rstrip()
    return _Run(text or url or f"[{kind}]", style, url)


def _run(el: Mapping[str, Any], env: RenderEnv) -> _Run:
    kind = el.get("type")
    raw_style = el.get("style")
    style: Mapping[str, Any] = raw_style if is_mapping(raw_style) else {}
    names = env.names
    if kind == "text" or not isinstance(kind, str) or not kind:
        return _Run(str(el.get("text") or ""), style)
    if kind == "link":
        url = str(el.get("url") or "")
        return _Run(str(el.get("text") or url), style, url or None)
    if kind in ("user", "canvas_user_mention"):
        uid = str(el.get("user_id", ""))
        return _Run("@" + _name(names.users, uid, el.get("fallback")), style)
    if kind == "team":
        return _Run("@" + str(el.get("team_id", "")), style)
    if kind == "usergroup":
        gid = str(el.get("usergroup_id", ""))
        return _Run("@" + _name(names.usergroups, gid, el.get("fallback")).lstrip("@"), style)
    if kind == "channel":
        cid = str(el.get("channel_id", ""))
        return _Run("#" + _name(names.channels, cid, el.get("fallback")).lstrip("#"), style)
    if kind == "emoji":
        tone = el.get("skin_tone")
        text = render_emoji(
            str(el.get("name", "")),
            str_or_empty(el.get("unicode")) or None,
            tone if type(tone) is int else None,
        )
        return _Run(text, style)
    if kind == "broadcast":
        return _Run("@" + str(el.get("range", "here")), style)
    if kind == "date":
        text = format_slack_date(
            el.get("timestamp"),
            str_or_empty(el.get("format")),
            str_or_empty(el.get("fallback")),
            env.tz,
        )
        return _Run(text, style, str_or_empty(el.get("url")) or None)
    if kind == "color":
        value = str(el.get("value", ""))
        return _Run(value, style, color=value if _HEX_COLOR.fullmatch(value) else None)
    return _other(el, kind, style, names)


def runs(elements: Iterable[Mapping[str, Any]], env: RenderEnv) -> list[_Run]:
    """Inline elements as runs; neighbours of one format are merged, so writing them takes
    one element and one text assignment each (linear in the number of elements)."""
    merged: list[_Run] = []
    texts: list[str] = []

    def close() -> None:
        if len(texts) > 1:
            merged[-1] = merged[-1]._replace(text="".join(texts))

    for el in elements:
        if not is_mapping(el):
            continue
        run = _run(el, env)
        if not run.text:
            continue
        if merged and run[1:] == merged[-1][1:]:
            texts.append(run.text)
            continue
        close()
        merged.append(run)
        texts = [run.text]
    close()
    return merged


def plain_text(elements: Iterable[Mapping[str, Any]], env: RenderEnv) -> str:
    """The elements as code text: a labelled link keeps its URL, as "label (url)"."""
    return "".join(
        f"{r.text} ({r.href})" if r.href and r.text != r.href else r.text
        for r in runs(elements, env)
    )


def _trim_newlines(items: list[_Run]) -> list[_Run]:
    """Drop the blank lines Slack's composer leaves at the start/end of a section."""
    start, end = 0, len(items)
    while start < end and not items[start].text.strip("\n"):
        start += 1
    while end > start and not items[end - 1].text.strip("\n"):
        end -= 1
    items = items[start:end]
    if items and items[0].text.startswith("\n"):
        items[0] = items[0]._replace(text=items[0].text.lstrip("\n"))
    if items and items[-1].text.endswith("\n"):
        items[-1] = items[-1]._replace(text=items[-1].text.rstrip("\n"))
    return items


def _write_lines(parent: etree._Element, text: str) -> None:
    if "\r" in text:  # CRLF and CR end lines too
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" not in text:
        append_text(parent, text)
        return
    for i, line in enumerate(text.split("\n")):
        if i:
            sub(parent, "br")
        append_text(parent, line)


def _write_run(parent: etree._Element, run: _Run) -> None:
    target = parent
    if run.href and is_safe_href(run.href):
        target = sub(target, "a", {"href": run.href.strip()})
    elif run.href and run.text != run.href:
        run = _Run(f"{run.text} ({run.href})", run.style)  # unsafe scheme: keep it visible, inert
    if run.color:
        target = sub(target, "span", {"style": f"color: {run.color};"})
    if run.style:
        for key, tag in _STYLE_TAGS:
            if run.style.get(key):
                target = sub(target, tag)
    _write_lines(target, run.text)


def write_inline(
    parent: etree._Element, elements: Iterable[Mapping[str, Any]], env: RenderEnv
) -> bool:
    """Write inline elements into `parent`; False when nothing visible was written."""
    items = _trim_newlines(runs(elements, env))
    for item in items:
        _write_run(parent, item)
    return bool(items)


def _inline_block(
    parent: etree._Element, tag: str, elements: Sequence[Mapping[str, Any]], env: RenderEnv
) -> None:
    el = sub(parent, tag)
    if not write_inline(el, elements, env):
        parent.remove(el)


_MAX_INDENT = 8  # Slack's deepest list level


@dataclass
class _Level:
    """One open <ul>/<ol>: its Slack indent, style, last item and next number."""

    indent: int
    style: str
    element: etree._Element
    last_item: etree._Element | None = None
    next_number: int = 1


def _offset(block: Mapping[str, Any]) -> int | None:
    offset = block.get("offset")
    return offset if type(offset) is int and offset >= 0 else None


class _ListBuilder:
    """Turns Slack's flat lists-with-`indent` into nested <ul>/<ol>.

    Each item sits as deep as its indent below the first list of the run (a jump from 0 to 2
    nests through an empty item), and an ordered list starts at its `offset` + 1: it continues
    the open list when that is the list's next number, else a new list starts there.
    """

    def __init__(self, parent: etree._Element) -> None:
        self.parent = parent
        self.stack: list[_Level] = []

    def _open(self, host: etree._Element, indent: int, style: str, offset: int | None) -> _Level:
        level = _Level(indent, style, sub(host, "ol" if style == "ordered" else "ul"))
        if style == "ordered" and offset:
            level.element.set("start", str(offset + 1))
            level.next_number = offset + 1
        self.stack.append(level)
        return level

    def _item_of(self, level: _Level) -> etree._Element:
        if level.last_item is None:
            level.last_item = sub(level.element, "li")
            level.next_number += 1
        return level.last_item

    def add(self, block: Mapping[str, Any], env: RenderEnv) -> None:
        raw_indent = block.get("indent")
        indent = min(max(raw_indent, 0), _MAX_INDENT) if type(raw_indent) is int else 0
        style = "ordered" if block.get("style") == "ordered" else "bullet"
        offset = _offset(block) if style == "ordered" else None
        entries = [i for i in items(block.get("elements")) if is_mapping(i)]
        if not entries:
            return
        stack = self.stack
        while stack and (
            stack[-1].indent > indent
            or (
                stack[-1].indent == indent
                and (
                    stack[-1].style != style
                    or (offset is not None and offset + 1 != stack[-1].next_number)
                )
            )
        ):
            stack.pop()
        if not stack:
            level = self._open(self.parent, indent, style, offset)
        elif stack[-1].indent < indent:
            level = stack[-1]
            for skipped in range(level.indent + 1, indent):
                level = self._open(self._item_of(level), skipped, "bullet", None)
            level = self._open(self._item_of(level), indent, style, offset)
        else:
            level = stack[-1]
        for item in entries:
            level.last_item = sub(level.element, "li")
            level.next_number += 1
            write_inline(level.last_item, items(item.get("elements")), env)


def write_rich_text(
    parent: etree._Element, blocks: Iterable[Mapping[str, Any]], env: RenderEnv
) -> None:
    """Append every `rich_text` block of `blocks` (others are ignored) to `parent`."""
    for block in blocks:
        if is_mapping(block) and block.get("type") == "rich_text":
            _write_elements(parent, items(block.get("elements")), env)


def _write_elements(
    parent: etree._Element, elements: Iterable[Mapping[str, Any]], env: RenderEnv
) -> None:
    lists = _ListBuilder(parent)
    for el in elements:
        if not is_mapping(el):
            continue
        kind = el.get("type")
        children = items(el.get("elements"))
        if kind == "rich_text_list":
            lists.add(el, env)
            continue
        lists = _ListBuilder(parent)
        if el.get(INTERNAL_KEY) is INTERNAL:
            _write_internal(parent, kind, children, env)
        elif kind == "rich_text_preformatted":
            add_code_macro(parent, plain_text(children, env))
        elif kind == "rich_text_quote":
            quote = sub(parent, "blockquote")
            _inline_block(quote, "p", children, env)
            if last_child(quote) is None:
                parent.remove(quote)
        else:
            _inline_block(parent, "p", children, env)


def _write_internal(
    parent: etree._Element, kind: object, children: Sequence[Mapping[str, Any]], env: RenderEnv
) -> None:
    """The few shapes layout blocks and attachments need beyond rich_text (see `internal`)."""
    if kind == HEADING:
        _inline_block(parent, "h3", children, env)
    elif kind == DIVIDER:
        sub(parent, "hr")
    elif kind == QUOTE:
        quote = sub(parent, "blockquote")
        _write_elements(quote, children, env)
        if last_child(quote) is None:
            parent.remove(quote)
    elif kind == TABLE:
        body = sub(sub(parent, "table"), "tbody")
        for row in children:
            tr = sub(body, "tr")
            for cell in items(row.get("elements")):
                td = sub(tr, "td")
                _write_elements(td, items(cell.get("elements")), env)
