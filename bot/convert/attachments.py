"""Legacy message `attachments` (what alerting tools and link unfurls post) -> rich_text.

Fields as Slack's reference describes them (api.slack.com/reference/messaging/attachments):
`pretext` above the attachment, then inside it the author, the title (linked by `title_link`),
`text`, `fields` (title and value), the image, any `blocks`, and `footer` with `ts`. `text`,
`pretext` and field values are mrkdwn only when named in `mrkdwn_in`; otherwise links and
mentions still count but `*stars*` stay stars. `color` is not kept; `fallback` is shown only
when the attachment has nothing else to show.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .layout import Node, image_link, layout_blocks, section
from .mrkdwn import decode_entities, parse_links, parse_mrkdwn
from .rich_text import QUOTE, internal, is_mapping, items, str_or_empty

_FOOTER_DATE = "{date_short} {time}"


def _linked(text: str, url: str, style: Mapping[str, bool] | None = None) -> Node:
    el: dict[str, Any] = (
        {"type": "link", "url": url, "text": text} if url else {"type": "text", "text": text}
    )
    if style:
        el["style"] = dict(style)
    return el


def _is_time(value: object) -> bool:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


class _Attachment:
    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        marked = raw.get("mrkdwn_in")
        self.mrkdwn_in = (
            {m for m in marked if isinstance(m, str)} if isinstance(marked, list) else set()
        )

    def get(self, key: str) -> str:
        return str_or_empty(self.raw.get(key))

    def text(self, field: str, text: str) -> list[Node]:
        """Block-level elements for one of the mrkdwn-capable fields."""
        if not text:
            return []
        if field in self.mrkdwn_in:
            return [el for block in parse_mrkdwn(text) for el in block["elements"]]
        return [*parse_links(text)]

    def author(self) -> list[Node]:
        name = self.get("author_name") or self.get("service_name")
        link = self.get("author_link") or self.get("service_url")
        return [section([_linked(decode_entities(name), link)])] if name else []

    def title(self) -> list[Node]:
        title = decode_entities(self.get("title"))
        link = self.get("title_link")
        return [section([_linked(title, link, {"bold": True})])] if title else []

    def fields(self) -> list[Node]:
        out: list[Node] = []
        for field in items(self.raw.get("fields")):
            if not is_mapping(field):
                continue
            title = decode_entities(str_or_empty(field.get("title")))  # plain: Slack escapes it
            value = self.text("fields", str_or_empty(field.get("value")))
            label: list[Node] = (
                [{"type": "text", "text": title, "style": {"bold": True}}] if title else []
            )
            if label and len(value) == 1 and value[0].get("type") == "rich_text_section":
                out.append(section([*label, {"type": "text", "text": "\n"}, *value[0]["elements"]]))
            else:
                out.extend([section(label)] if label else [])
                out.extend(value)
        return out

    def image(self) -> list[Node]:
        url = self.get("image_url")
        return [section([image_link({"image_url": url, "alt_text": "image"})])] if url else []

    def footer(self) -> list[Node]:
        inline: list[Node] = []
        footer = self.get("footer")
        if footer:
            inline.extend(parse_links(footer)[0]["elements"])
        ts = self.raw.get("ts")
        if _is_time(ts):
            if inline:
                inline.append({"type": "text", "text": " · "})
            inline.append({"type": "date", "timestamp": ts, "format": _FOOTER_DATE})
        return [section(inline)] if inline else []

    def inside(self) -> list[Node]:
        body = [
            *self.author(),
            *self.title(),
            *self.text("text", self.get("text")),
            *self.fields(),
            *self.image(),
            *(el for block in layout_blocks(self.raw.get("blocks")) for el in block["elements"]),
            *self.footer(),
        ]
        if not body:
            body = self.text("", self.get("fallback"))
        return body


def attachment_blocks(attachments: object) -> list[Node]:
    """Each attachment as rich_text blocks: its pretext, then its content in a quote."""
    out: list[Node] = []
    for raw in attachments if isinstance(attachments, list) else []:
        if not is_mapping(raw):
            continue
        attachment = _Attachment(raw)
        pretext = attachment.text("pretext", str_or_empty(raw.get("pretext")))
        if pretext:
            out.append({"type": "rich_text", "elements": pretext})
        inside = attachment.inside()
        if inside:
            out.append({"type": "rich_text", "elements": [internal(QUOTE, inside)]})
    return out
