"""Slack mrkdwn (the `text` field of bot/legacy messages) -> rich_text block structures.

Parsing into the same shape the composer sends lets one renderer (rich_text.py) write storage.
Slack escapes only `&`, `<` and `>` in mrkdwn; those are decoded exactly once here and the XML
serializer escapes them again exactly once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
_ENTITY = re.compile("&(?:amp|lt|gt);")
_CODE = r"(?P<code>`(?P<code_body>[^`\n]+)`)"
_ANGLE = r"(?P<angle><(?P<angle_body>[^<>\n]+)>)"
_BOLD = r"(?P<bold>(?<![\w*])\*(?=\S)(?P<bold_body>[^*\n]+?)(?<=\S)\*(?![\w*]))"
_ITALIC = r"(?P<italic>(?<![\w_])_(?=\S)(?P<italic_body>[^_\n]+?)(?<=\S)_(?![\w_]))"
_STRIKE = r"(?P<strike>(?<![\w~])~(?=\S)(?P<strike_body>[^~\n]+?)(?<=\S)~(?![\w~]))"
_EMOJI = r"(?P<emoji>:(?P<emoji_name>[a-z0-9_+'-]+):(?::skin-tone-(?P<tone>[2-6]):)?)"
_INLINE = re.compile("|".join([_CODE, _ANGLE, _BOLD, _ITALIC, _STRIKE, _EMOJI]))
# Legacy attachment text outside `mrkdwn_in`: links, mentions and emoji, but no styles.
_LINKS_AND_EMOJI = re.compile("|".join([_ANGLE, _EMOJI]))
_EMOJI_ONLY = re.compile(_EMOJI)
# Bullet lines only: Slack shows "1999. Great year" as typed (mrkdwn has no numbered lists), so
# numbered lines stay text with their own numbers.
_LIST_ITEM = re.compile(r"(?P<indent>[ \t]*)(?P<marker>[•◦▪▫‣\-*])[ \t]+(?P<body>.*)")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
# Slack sends ">" as "&gt;"; a raw ">" (text typed into a modal) is accepted too.
_QUOTE = re.compile(r"(?:&gt;|>)(?!(?:&gt;|>){2})")
_BLOCK_QUOTE = re.compile(r"(?:&gt;|>){3}")

Element = dict[str, Any]


def decode_entities(text: str) -> str:
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], text)


def _text(text: str, style: dict[str, bool]) -> Element:
    el: Element = {"type": "text", "text": decode_entities(text)}
    if style:
        el["style"] = dict(style)
    return el


def _angle(body: str, style: dict[str, bool]) -> Element:
    target, _, label = body.partition("|")
    label = decode_entities(label)
    el: Element
    if target.startswith("@"):
        el = {"type": "user", "user_id": target[1:], "fallback": label.lstrip("@") or None}
    elif target.startswith("#"):
        el = {"type": "channel", "channel_id": target[1:], "fallback": label.lstrip("#") or None}
    elif target in ("!here", "!channel", "!everyone"):
        el = {"type": "broadcast", "range": target[1:]}
    elif target.startswith("!subteam^"):
        el = {
            "type": "usergroup",
            "usergroup_id": target[9:],
            "fallback": label.lstrip("@") or None,
        }
    elif target.startswith("!date^"):
        parts = target.split("^")
        el = {
            "type": "date",
            "timestamp": parts[1] if len(parts) > 1 else "",
            "format": decode_entities(parts[2]) if len(parts) > 2 else None,
            "fallback": label or None,
        }
        if len(parts) > 3:
            el["url"] = decode_entities(parts[3])
    elif target.startswith("!"):
        return _text(label or target[1:], style)
    elif _URL.fullmatch(target):
        url = decode_entities(target)
        el = {"type": "link", "url": url, "text": label or url}
    else:  # not Slack markup (e.g. raw "<b>" typed in a modal): keep it as text
        return _text(f"<{body}>", style)
    if style:
        el["style"] = dict(style)
    return el


def parse_inline(
    text: str, style: dict[str, bool] | None = None, pattern: re.Pattern[str] = _INLINE
) -> list[Element]:
    """Inline mrkdwn -> rich_text section elements (`pattern` picks which markup counts)."""
    style = style or {}
    out: list[Element] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            out.append(_text(text[pos : m.start()], style))
        pos = m.end()
        found = m.groupdict()
        if found.get("code"):
            out.append(_text(m.group("code_body"), {**style, "code": True}))
        elif found.get("angle"):
            out.append(_angle(m.group("angle_body"), style))
        elif found.get("emoji"):
            tone = m.group("tone")
            emoji: Element = {"type": "emoji", "name": m.group("emoji_name")}
            if tone:
                emoji["skin_tone"] = int(tone)
            out.append(emoji)
        else:
            for key in ("bold", "italic", "strike"):
                if found.get(key):
                    out.extend(parse_inline(m.group(f"{key}_body"), {**style, key: True}))
    if pos < len(text):
        out.append(_text(text[pos:], style))
    return out


def parse_plain(text: str, *, emoji: bool = True) -> list[Element]:
    """A `plain_text` object as one section: Slack's three entities decoded, `:name:` shown as
    an emoji unless the object says `"emoji": false`; no other markup."""
    inline = parse_inline(text, None, _EMOJI_ONLY) if emoji else [_text(text, {})]
    return [{"type": "rich_text_section", "elements": inline}]


def parse_links(text: str) -> list[Element]:
    """Legacy attachment text not listed in `mrkdwn_in`: one section in which links, mentions
    and emoji count but `*bold*`, lists, quotes and code fences are plain characters."""
    return [{"type": "rich_text_section", "elements": parse_inline(text, None, _LINKS_AND_EMOJI)}]


def _section(lines: list[str]) -> Element:
    return {"type": "rich_text_section", "elements": parse_inline("\n".join(lines))}


def _split_fences(text: str) -> list[tuple[bool, str]]:
    """(is_code, text) segments; an unpaired ``` stays literal text."""
    parts = text.split("```")
    if len(parts) % 2 == 0:  # odd number of fences: the last one is literal
        parts[-2:] = ["```".join(parts[-2:])]
    segments: list[tuple[bool, str]] = []
    for i, part in enumerate(parts):
        if i % 2:
            code = part.removeprefix("\r\n").removeprefix("\n")
            segments.append((True, code.removesuffix("\n").removesuffix("\r")))
        elif part:
            segments.append((False, part))
    return segments


def _blocks_for_text(text: str, out: list[Element]) -> None:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraph: list[str] = []
    quote: list[str] = []
    widths: list[int] = []  # indentation of the open list levels: deeper by any amount = +1

    def flush() -> None:
        if paragraph:
            out.append(_section(paragraph))
            paragraph.clear()
        if quote:
            out.append({"type": "rich_text_quote", "elements": parse_inline("\n".join(quote))})
            quote.clear()

    lines = text.split("\n")
    for index, line in enumerate(lines):
        block_quote = _BLOCK_QUOTE.match(line)
        if block_quote:  # legacy ">>>": everything after is quoted
            flush()
            rest = "\n".join([line[block_quote.end() :].lstrip(" "), *lines[index + 1 :]])
            quote.append(rest)
            break
        quote_mark = _QUOTE.match(line)
        if quote_mark:
            if paragraph:
                flush()
            quote.append(line[quote_mark.end() :].removeprefix(" "))
            widths.clear()
            continue
        item = _LIST_ITEM.fullmatch(line)
        if item:
            flush()
            width = len(item.group("indent").expandtabs(4))
            while widths and widths[-1] > width:
                widths.pop()
            if not widths or widths[-1] < width:
                widths.append(width)
            out.append(
                {
                    "type": "rich_text_list",
                    "style": "bullet",
                    "indent": min(len(widths) - 1, 8),
                    "elements": [_section([item.group("body")])],
                }
            )
            continue
        if quote or not line.strip():
            flush()
        if line.strip():
            paragraph.append(line)
            widths.clear()
    flush()


def parse_mrkdwn(text: str, *, slack_escaped: bool = True) -> list[Element]:
    """mrkdwn -> a list holding one `rich_text` block (empty list for blank text).

    `slack_escaped=False` is for raw text (e.g. typed into a modal), where `&` is literal.
    Results are cached (a save parses each message twice: references, then conversion), so
    treat them as read-only.
    """
    return _parse_cached(text, slack_escaped)


@lru_cache(maxsize=4096)
def _parse_cached(text: str, slack_escaped: bool) -> list[Element]:
    if not slack_escaped:
        text = text.replace("&", "&amp;")
    elements: list[Element] = []
    for is_code, segment in _split_fences(text):
        if is_code:
            code = {"type": "text", "text": decode_entities(segment)}
            elements.append({"type": "rich_text_preformatted", "elements": [code]})
        else:
            _blocks_for_text(segment, elements)
    return [{"type": "rich_text", "elements": elements}] if elements else []
