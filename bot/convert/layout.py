"""Block Kit layout blocks (header, section, context, image, divider, table, ...) -> rich_text.

Each block becomes one `rich_text` block (plus the few internal shapes of rich_text.py), so the
writer that renders the composer's rich_text renders these too, and collect_references finds the
users and channels their mrkdwn mentions. Interactive blocks (buttons, inputs) carry no content
and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .mrkdwn import decode_entities, parse_inline, parse_mrkdwn, parse_plain
from .rich_text import DIVIDER, HEADING, TABLE, internal, is_mapping, items, str_or_empty

# Controls and inputs, and remote-file stubs (the message's `files` lists those files).
_SKIPPED = frozenset({"actions", "input", "file", "call"})
# Where blocks this code does not know (alert, card, ...) keep their text objects.
_TEXT_KEYS = ("title", "subtitle", "text", "body", "description")
_CONTEXT_GAP = {"type": "text", "text": " · "}
Node = Mapping[str, Any]


def text_object(obj: object) -> list[Node]:
    """A `mrkdwn` or `plain_text` object as block-level rich_text elements."""
    if not is_mapping(obj) or not str_or_empty(obj.get("text")):
        return []
    text = str_or_empty(obj.get("text"))
    if obj.get("type") == "mrkdwn":
        return [el for block in parse_mrkdwn(text) for el in block["elements"]]
    return [*parse_plain(text, emoji=obj.get("emoji") is not False)]


def _inline_text(obj: object) -> list[Node]:
    """A text object as inline elements, for one-line places (header, context)."""
    if not is_mapping(obj) or not str_or_empty(obj.get("text")):
        return []
    text = str_or_empty(obj.get("text"))
    if obj.get("type") == "mrkdwn":
        return [*parse_inline(text)]
    return [*parse_plain(text, emoji=obj.get("emoji") is not False)[0]["elements"]]


def _plain(obj: object) -> str:
    return decode_entities(str_or_empty(obj.get("text"))) if is_mapping(obj) else ""


def image_link(image: Mapping[str, Any], title: str = "") -> Node:
    """An image as a link to it, labelled by its title or alt text (the page embeds nothing
    from other hosts); an image without a usable URL (a Slack file by id) as its label."""
    label = title or str_or_empty(image.get("alt_text")) or "image"
    slack_file = image.get("slack_file")
    url = str_or_empty(image.get("image_url")) or (
        str_or_empty(slack_file.get("url")) if is_mapping(slack_file) else ""
    )
    if url:
        return {"type": "link", "url": url, "text": label}
    return {"type": "text", "text": f"[image: {label}]"}


def section(inline: list[Node]) -> Node:
    return {"type": "rich_text_section", "elements": inline}


def _section_block(block: Mapping[str, Any]) -> list[Node]:
    out = text_object(block.get("text"))
    for field in items(block.get("fields")):  # Slack's two columns, here one after another
        out.extend(text_object(field))
    accessory = block.get("accessory")
    if is_mapping(accessory) and accessory.get("type") == "image":
        out.append(section([image_link(accessory)]))
    return out


def _context_block(block: Mapping[str, Any]) -> list[Node]:
    inline: list[Node] = []
    for element in items(block.get("elements")):
        if not is_mapping(element):
            continue
        piece = [image_link(element)] if element.get("type") == "image" else _inline_text(element)
        if piece:
            inline.extend([_CONTEXT_GAP, *piece] if inline else piece)
    return [section(inline)] if inline else []


def _image_block(block: Mapping[str, Any]) -> list[Node]:
    return [section([image_link(block, _plain(block.get("title")))])]


def _video_block(block: Mapping[str, Any]) -> list[Node]:
    title = _plain(block.get("title")) or str_or_empty(block.get("alt_text")) or "video"
    url = str_or_empty(block.get("title_url")) or str_or_empty(block.get("video_url"))
    link: Node = (
        {"type": "link", "url": url, "text": title} if url else {"type": "text", "text": title}
    )
    return [section([link]), *text_object(block.get("description"))]


def _table_block(block: Mapping[str, Any]) -> list[Node]:
    rows: list[Mapping[str, Any]] = []
    for raw_row in items(block.get("rows")):
        if not isinstance(raw_row, list):
            continue
        cells: list[Mapping[str, Any]] = []
        for cell in raw_row:
            if not is_mapping(cell):
                continue
            if cell.get("type") == "rich_text":
                content = [el for el in items(cell.get("elements")) if is_mapping(el)]
            else:  # raw_text: shown exactly as given
                content = [section([{"type": "text", "text": str_or_empty(cell.get("text"))}])]
            cells.append({"elements": content})
        rows.append({"elements": cells})
    return [internal(TABLE, rows)] if rows else []


def _other_block(block: Mapping[str, Any]) -> list[Node]:
    out: list[Node] = []
    for key in _TEXT_KEYS:
        out.extend(text_object(block.get(key)))
    return out


def _elements(block: Mapping[str, Any]) -> list[Node]:
    kind = block.get("type")
    if not isinstance(kind, str):  # malformed: show whatever text it carries
        return _other_block(block)
    if kind == "rich_text":
        return [el for el in items(block.get("elements")) if is_mapping(el)]
    if kind == "header":
        inline = _inline_text(block.get("text"))
        return [internal(HEADING, inline)] if inline else []
    if kind == "section":
        return _section_block(block)
    if kind == "context":
        return _context_block(block)
    if kind == "image":
        return _image_block(block)
    if kind == "divider":
        return [internal(DIVIDER)]
    if kind == "markdown":  # standard Markdown, kept as the text it is (not parsed)
        return (
            [*parse_plain(str_or_empty(block.get("text")), emoji=False)]
            if block.get("text")
            else []
        )
    if kind == "video":
        return _video_block(block)
    if kind == "table":
        return _table_block(block)
    if kind in _SKIPPED:
        return []
    return _other_block(block)


def layout_blocks(blocks: object) -> list[Node]:
    """Every block with something to show, each as one `rich_text` block."""
    out: list[Node] = []
    for block in blocks if isinstance(blocks, list) else []:
        if not is_mapping(block):
            continue
        elements = _elements(block)
        if elements:
            out.append({"type": "rich_text", "elements": elements})
    return out
