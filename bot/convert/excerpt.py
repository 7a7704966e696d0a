"""Storage -> short plain text / Slack mrkdwn previews (link unfurls, digests).

Never raises on bad input: strict parse, then lxml's recovering parser, then tag stripping.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from lxml import etree

from .rich_text import is_safe_href
from .storage import AC_NS, RI_NS, parse_fragment

_BREAK = None  # marks a line break between blocks in the segment stream
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "tr",
        "td",
        "th",
        "blockquote",
        "pre",
        "table",
        "ul",
        "ol",
        "br",
        "hr",
        "section",
        "task",
        "layout-section",
        "layout-cell",
        "rich-text-body",
        "plain-text-body",
        "structured-macro",
    ]
)
_SKIP = frozenset(
    {"parameter", "task-id", "task-uuid", "task-status", "placeholder", "style", "script"}
)
_MARKS = {
    "strong": "*",
    "b": "*",
    "em": "_",
    "i": "_",
    "s": "~",
    "del": "~",
    "strike": "~",
    "code": "`",
}
_WS = re.compile(r"\s+")
_TAG = re.compile(r"<!\[CDATA\[|\]\]>|<[^>]*>?")
_ELLIPSIS = "…"


@dataclass(frozen=True)
class _Seg:
    text: str
    marks: tuple[str, ...] = ()
    href: str | None = None


_Item = _Seg | None


def _local(el: etree._Element) -> tuple[str, str | None]:
    # Not etree.QName: the recovering parser can yield tags like "x:y" that it rejects.
    tag = str(el.tag)
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return local, ns
    return tag.rpartition(":")[2], None


def _link_text(el: etree._Element) -> str:
    for child in el:
        name, ns = _local(child)
        if ns == RI_NS:
            return (
                child.get(f"{{{RI_NS}}}content-title")
                or child.get(f"{{{RI_NS}}}filename")
                or ("@user" if name == "user" else "")
            )
    return ""


def _walk(el: etree._Element, marks: tuple[str, ...], href: str | None, out: list[_Item]) -> None:
    if not isinstance(el.tag, str):  # comments and processing instructions
        return
    name, ns = _local(el)
    block = name in _BLOCKS
    if ns == RI_NS or name in _SKIP:
        return
    if block:
        out.append(_BREAK)
    if name == "li":
        out.append(_Seg("• "))
    if ns == AC_NS and name == "emoticon":
        out.append(
            _Seg(el.get(f"{{{AC_NS}}}emoji-fallback") or f":{el.get(f'{{{AC_NS}}}name', '')}:")
        )
    elif ns == AC_NS and name == "image":
        out.append(_Seg("[image]"))
    elif name == "time" and el.get("datetime"):
        out.append(_Seg(el.get("datetime", "")))
    elif ns == AC_NS and name == "link" and not any(_local(c)[1] == AC_NS for c in el):
        out.append(_Seg(_link_text(el), marks, href))
    else:
        if name == "a" and el.get("href") and is_safe_href(el.get("href", "")):
            href = el.get("href")
        if name in _MARKS and ns is None and _MARKS[name] not in marks:
            marks = (*marks, _MARKS[name])
        if el.text:
            out.append(_Seg(el.text, marks, href))
        for child in el:
            _walk(child, marks, href, out)
            if child.tail:
                out.append(_Seg(child.tail, marks, href))
    if block:
        out.append(_BREAK)


def _lines(items: list[_Item]) -> list[_Seg]:
    """Collapse whitespace; one "\\n" segment between non-empty lines."""
    lines: list[list[_Seg]] = [[]]
    for item in items:
        if item is _BREAK:
            lines.append([])
            continue
        text = _WS.sub(" ", item.text)
        line = lines[-1]
        if not line or line[-1].text.endswith(" "):
            text = text.lstrip(" ")
        if text:
            line.append(_Seg(text, item.marks, item.href))
    out: list[_Seg] = []
    for line in lines:
        if line and line[-1].text.endswith(" "):
            last = line[-1]
            line[-1] = _Seg(last.text.rstrip(" "), last.marks, last.href)
        line = [s for s in line if s.text]
        if not line or not "".join(s.text for s in line).strip(" •"):
            continue
        if out:
            out.append(_Seg("\n"))
        out.extend(line)
    return out


def _parsed(storage: str) -> etree._Element | None:
    root = parse_fragment(storage) if storage.strip() else None
    if root is None and storage.strip():
        root = parse_fragment(storage, recover=True)
    return root


def _segments(storage: str) -> list[_Seg]:
    root = _parsed(storage)
    if root is None:
        text = html.unescape(_TAG.sub(" ", storage))
        return _lines([_Seg(text)])
    return _root_segments(root)


def _root_segments(root: etree._Element) -> list[_Seg]:
    items: list[_Item] = []
    if root.text:
        items.append(_Seg(root.text))
    for child in root:
        _walk(child, (), None, items)
        if child.tail:
            items.append(_Seg(child.tail))
    return _lines(items)


def _cut(segs: list[_Seg], limit: int) -> tuple[list[_Seg], bool]:
    """Keep at most `limit` visible characters, ending on a word boundary when possible."""
    text = "".join(s.text for s in segs)
    if len(text) <= limit:
        return segs, False
    pos = limit
    if not text[pos].isspace():
        space = max(text.rfind(" ", 0, pos), text.rfind("\n", 0, pos))
        if space >= limit // 2:
            pos = space
    out: list[_Seg] = []
    used = 0
    for seg in segs:
        if used >= pos:
            break
        piece = seg.text[: pos - used]
        used += len(seg.text)
        out.append(_Seg(piece, seg.marks, seg.href))
    while out and not out[-1].text.rstrip():
        out.pop()
    if out:
        last = out[-1]
        out[-1] = _Seg(last.text.rstrip(), last.marks, last.href)
    return out, True


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(segs: list[_Seg]) -> str:
    parts: list[str] = []
    for seg in segs:
        core = seg.text.strip()
        if not core:
            parts.append(seg.text)
            continue
        lead = seg.text[: len(seg.text) - len(seg.text.lstrip())]
        trail = seg.text[len(seg.text.rstrip()) :]
        body = _escape(core)
        for mark in reversed(seg.marks):
            body = f"{mark}{body}{mark}"
        if seg.href:
            url = seg.href.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E")
            body = f"<{url}>" if core == seg.href else f"<{url}|{body}>"
        parts.append(lead + body + trail)
    return "".join(parts)


def storage_to_text(storage: str, max_chars: int = 300) -> str:
    """Plain-text preview, at most `max_chars` long, ending in "…" when cut."""
    return _plain(_segments(storage), max_chars)


def _plain(segs: list[_Seg], max_chars: int) -> str:
    text = "".join(s.text for s in segs)
    if len(text) <= max_chars:
        return text
    if max_chars < 1:
        return ""
    part, _ = _cut(segs, max_chars - 1)
    return "".join(s.text for s in part) + _ELLIPSIS


def task_text(storage: str, max_chars: int = 300) -> str:
    """A task's body as plain text, without what Confluence reads as its assignee and due date
    (its first @mention and its first date), which are shown apart from it."""
    root = _parsed(storage)
    if root is None:
        return storage_to_text(storage, max_chars)
    links = (el for el in root.iter(f"{{{AC_NS}}}link") if el.find(f"{{{RI_NS}}}user") is not None)
    for found in (next(links, None), next(root.iter("time"), None)):
        if found is not None:
            _drop(found)
    return _plain(_root_segments(root), max_chars)


def _drop(el: etree._Element) -> None:
    """Remove `el`, keeping the text after it."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail or ""
    before = el.getprevious()
    if before is not None:
        before.tail = (before.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(el)


def storage_to_mrkdwn(storage: str, max_chars: int = 300) -> str:
    """Slack mrkdwn preview (bold/italic/strike/code/links kept), at most `max_chars` long."""
    segs = _segments(storage)
    rendered = _mrkdwn(segs)
    if len(rendered) <= max_chars:
        return rendered
    if max_chars < 1:
        return ""
    limit = max_chars - 1
    while limit > 0:
        part, _ = _cut(segs, limit)
        rendered = _mrkdwn(part) + _ELLIPSIS
        if len(rendered) <= max_chars:
            return rendered
        limit -= len(rendered) - max_chars
    return _ELLIPSIS
