"""Property tests: any rich_text / mrkdwn input gives well-formed, macro-free, lossless storage."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.convert import (
    Names,
    ThreadContext,
    collect_references,
    message_to_storage,
    mrkdwn_to_storage,
    thread_to_storage,
)
from bot.convert.mrkdwn import parse_mrkdwn
from bot.convert.rich_text import is_safe_href
from bot.convert.storage import AC_NS, clean_text, parse_fragment

MACRO = f"{{{AC_NS}}}structured-macro"
BODY = f"{{{AC_NS}}}plain-text-body"
HOSTILE = [
    '<ac:structured-macro ac:name="html">',
    "]]>",
    "<![CDATA[",
    "&amp;lt;",
    "&lt;",
    "</p>",
    "<ri:attachment/>",
]
any_text = st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE))
style = st.fixed_dictionaries(
    {},
    optional={k: st.booleans() for k in ("bold", "italic", "strike", "code", "underline")},
)
text_el = st.builds(lambda t, s: {"type": "text", "text": t, "style": s}, any_text, style)
other_el = st.one_of(
    st.builds(
        lambda u, t: {"type": "link", "url": u, "text": t},
        st.sampled_from(["https://e.x/?a=1&b=2", "javascript:x()", "mailto:a@b.c", ""]),
        st.one_of(st.none(), any_text),
    ),
    st.builds(lambda i: {"type": "user", "user_id": i}, st.sampled_from(["U1", "U2", "W9"])),
    st.builds(lambda i: {"type": "usergroup", "usergroup_id": i}, st.sampled_from(["S1", "S2"])),
    st.builds(lambda i: {"type": "channel", "channel_id": i}, st.sampled_from(["C1", "C2"])),
    st.builds(
        lambda n, tone: {"type": "emoji", "name": n, **({"skin_tone": tone} if tone else {})},
        st.sampled_from(["smile", "thumbsup", "custom_x", "+1", "flag-de"]),
        st.sampled_from([None, 2, 6]),
    ),
    st.builds(lambda r: {"type": "broadcast", "range": r}, st.sampled_from(["here", "channel"])),
    st.builds(
        lambda ts, f: {"type": "date", "timestamp": ts, "format": f, "fallback": "fb"},
        st.integers(0, 2**31),
        st.sampled_from(["{date_num}", "{date_long} {time}", "{ago}", "x"]),
    ),
    st.builds(lambda v: {"type": "color", "value": v}, st.sampled_from(["#ABCDEF", "bad"])),
    st.builds(
        lambda kind, text, url: {"type": kind, "text": text, "url": url, "channel_id": "C1"},
        st.sampled_from(["message_mention", "canvas", "team", "future_thing", "<p>"]),
        st.one_of(st.none(), any_text),
        st.sampled_from([None, "https://e.x/?a=1&b=2", "javascript:x()", 7]),
    ),
)
inline = st.lists(st.one_of(text_el, other_el), max_size=6)
section = st.builds(lambda els: {"type": "rich_text_section", "elements": els}, inline)
block_el = st.one_of(
    section,
    st.builds(
        lambda style, indent, items, offset: {
            "type": "rich_text_list",
            "style": style,
            "indent": indent,
            "offset": offset,
            "elements": items,
        },
        st.sampled_from(["bullet", "ordered"]),
        st.integers(0, 3),
        st.lists(section, max_size=3),
        st.integers(0, 3),
    ),
    st.builds(lambda els: {"type": "rich_text_preformatted", "elements": els}, inline),
    st.builds(lambda els: {"type": "rich_text_quote", "elements": els}, inline),
)
rich_text_blocks = st.lists(
    st.builds(lambda els: {"type": "rich_text", "elements": els}, st.lists(block_el, max_size=6)),
    min_size=1,
    max_size=2,
)
NAMES = Names(users={"U1": "Ann <&> ]]>"}, usergroups={"S1": "eng"}, channels={"C1": "gen"})


def _blocks_of(blocks: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [el for b in blocks for el in b["elements"] if el["type"] == kind]


def _check_macros(storage: str, expected_code_blocks: int) -> list[str]:
    root = parse_fragment(storage)
    assert root is not None, storage
    macros = list(root.iter(MACRO))
    assert len(macros) == expected_code_blocks
    assert all(m.get(f"{{{AC_NS}}}name") == "code" for m in macros)
    return [m.findtext(BODY) or "" for m in macros]


def _visible_text(storage: str) -> str:
    root = parse_fragment(storage)
    assert root is not None
    return "".join(root.itertext())


@settings(deadline=None)
@given(rich_text_blocks)
def test_any_rich_text_is_well_formed_macro_free_and_lossless(blocks: list[dict[str, Any]]) -> None:
    storage = message_to_storage({"type": "message", "user": "U1", "blocks": blocks}, NAMES)
    preformatted = _blocks_of(blocks, "rich_text_preformatted")
    bodies = _check_macros(storage, len(preformatted))
    for pre, body in zip(preformatted, bodies, strict=True):
        if all(el["type"] == "text" for el in pre["elements"]):
            assert body == clean_text("".join(el["text"] for el in pre["elements"]), keep_cr=True)
    visible = _visible_text(storage)
    for block in blocks:
        for el in block["elements"]:
            runs = el["elements"] if el["type"] != "rich_text_list" else [
                run for item in el["elements"] for run in item["elements"]
            ]  # fmt: skip
            for run in runs:
                if run["type"] == "text":
                    for line in clean_text(run["text"]).split("\n"):
                        assert line in visible


mrkdwn_chars = st.text(alphabet="ab *_~`<>|@#!:&;^\n>•-1.![]CDATAhtml/=\"'", max_size=80)


@settings(deadline=None)
@given(st.one_of(mrkdwn_chars, st.text(max_size=60), st.sampled_from(HOSTILE)))
def test_any_mrkdwn_is_well_formed_with_only_our_code_macros(text: str) -> None:
    storage = mrkdwn_to_storage(text, NAMES)
    parsed = parse_mrkdwn(text)
    _check_macros(storage, len(_blocks_of(parsed, "rich_text_preformatted")))


word = st.from_regex(r"[a-z]{1,8}", fullmatch=True)
TEMPLATES = [
    "{w}",
    "*{w}*",
    "_{w}_",
    "~{w}~",
    "`{w}`",
    "<https://e.x/{w}|{w}>",
    "\n&gt; {w}\n",
    "\n• {w}\n",
    "\n    - {w}\n",
    "```{w}```",
]
construct = st.tuples(st.sampled_from(TEMPLATES), word)


@settings(deadline=None)
@given(st.lists(construct, min_size=1, max_size=12))
def test_mrkdwn_words_survive(parts: list[tuple[str, str]]) -> None:
    storage = mrkdwn_to_storage(" ".join(t.format(w=w) for t, w in parts), NAMES)
    visible = _visible_text(storage)
    for _, w in parts:
        assert w in visible


# Layout blocks and legacy attachments: any shape gives well-formed storage built only from the
# elements the converter writes, code macros only, and links only with safe schemes.
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "s", "u", "code", "a", "span", "ul", "ol", "li", "blockquote",
    "h3", "hr", "table", "tbody", "tr", "td", MACRO, BODY,
}  # fmt: skip
hostile_or_text = st.one_of(any_text, mrkdwn_chars)
url = st.sampled_from(["https://e.x/?a=1&b=2", "javascript:alert(1)", "", "data:text/html,<p>", 7])
text_object = st.builds(
    lambda kind, text, emoji: {"type": kind, "text": text, "emoji": emoji},
    st.sampled_from(["mrkdwn", "plain_text", "other"]),
    hostile_or_text,
    st.booleans(),
)
image = st.builds(
    lambda u, alt: {"type": "image", "image_url": u, "alt_text": alt}, url, hostile_or_text
)
layout_block = st.one_of(
    st.builds(lambda t: {"type": "header", "text": t}, text_object),
    st.builds(
        lambda t, f, a: {"type": "section", "text": t, "fields": f, "accessory": a},
        text_object,
        st.lists(text_object, max_size=3),
        st.one_of(st.none(), image),
    ),
    st.builds(
        lambda els: {"type": "context", "elements": els},
        st.lists(st.one_of(text_object, image), max_size=4),
    ),
    st.builds(lambda i, t: {**i, "title": t}, image, text_object),
    st.just({"type": "divider"}),
    st.builds(lambda t: {"type": "markdown", "text": t}, hostile_or_text),
    st.builds(
        lambda rows: {"type": "table", "rows": rows},
        st.lists(
            st.lists(
                st.one_of(
                    st.builds(lambda t: {"type": "raw_text", "text": t}, hostile_or_text),
                    st.builds(lambda b: {"type": "rich_text", "elements": b["elements"]}, block_el),
                ),
                max_size=3,
            ),
            max_size=3,
        ),
    ),
    st.builds(lambda kind, t: {"type": kind, "text": t, "title": t}, any_text, text_object),
)
field = st.builds(
    lambda t, v: {"title": t, "value": v, "short": True}, hostile_or_text, hostile_or_text
)
attachment = st.fixed_dictionaries(
    {},
    optional={
        "mrkdwn_in": st.lists(st.sampled_from(["text", "pretext", "fields", 3]), max_size=3),
        "pretext": hostile_or_text,
        "author_name": hostile_or_text,
        "author_link": url,
        "service_name": hostile_or_text,
        "title": hostile_or_text,
        "title_link": url,
        "text": hostile_or_text,
        "fields": st.lists(field, max_size=3),
        "image_url": url,
        "footer": hostile_or_text,
        "ts": st.one_of(st.integers(-(2**40), 2**40), any_text, st.none()),
        "fallback": hostile_or_text,
        "blocks": st.lists(layout_block, max_size=2),
    },
)


def _check_safe(storage: str) -> None:
    root = parse_fragment(storage)
    assert root is not None, storage
    for el in root.iter():
        if el is root:
            continue
        assert el.tag in ALLOWED_TAGS, el.tag
        if el.tag == MACRO:
            assert el.get(f"{{{AC_NS}}}name") == "code"
        if el.tag == "a":
            assert is_safe_href(el.get("href", "")), el.get("href")


@settings(deadline=None)
@given(st.lists(layout_block, max_size=4), st.lists(attachment, max_size=3), any_text)
def test_any_blocks_and_attachments_are_well_formed_and_inert(
    blocks: list[dict[str, Any]], attachments: list[dict[str, Any]], text: str
) -> None:
    message = {"bot_id": "B1", "text": text, "blocks": blocks, "attachments": attachments}
    _check_safe(message_to_storage(message, NAMES))


@settings(deadline=None)
@given(st.lists(st.tuples(word, word, word, word), min_size=1, max_size=3))
def test_attachment_words_survive(parts: list[tuple[str, str, str, str]]) -> None:
    attachments = [
        {"pretext": a, "title": b, "text": f"*{c}*", "fields": [{"title": d, "value": a}]}
        for a, b, c, d in parts
    ]
    visible = _visible_text(message_to_storage({"attachments": attachments}, NAMES))
    for part in parts:
        for w in part:
            assert w in visible


# Any JSON at all in the places Slack puts structure: conversion never raises.
KEYS = [
    "type", "text", "elements", "blocks", "attachments", "fields", "rows", "accessory", "title",
    "title_link", "value", "url", "image_url", "slack_file", "alt_text", "style", "indent",
    "offset", "user_id", "channel_id", "timestamp", "format", "fallback", "mrkdwn_in", "ts",
    "pretext", "footer", "name", "skin_tone", "unicode", "emoji", "files", "id",
]  # fmt: skip
TYPES = [
    "rich_text", "rich_text_section", "rich_text_list", "rich_text_quote", "rich_text_preformatted",
    "text", "link", "user", "emoji", "date", "color", "team", "canvas", "header", "section",
    "context", "image", "divider", "table", "markdown", "video", "raw_text", "mrkdwn", "plain_text",
]  # fmt: skip
json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), any_text,
    st.sampled_from(TYPES),
)  # fmt: skip
any_json = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)
    ),
    max_leaves=40,
)


@settings(deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), any_json, max_size=6))
def test_any_json_shaped_message_converts_without_raising(message: dict[str, Any]) -> None:
    storage = message_to_storage(message, NAMES)
    assert parse_fragment(storage) is not None
    collect_references([message])
    ctx = ThreadContext(channel_name="c", permalink=None, tz=ZoneInfo("UTC"), saved_by="A")
    assert parse_fragment(thread_to_storage([message, message], ctx)) is not None
