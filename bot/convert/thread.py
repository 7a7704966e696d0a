"""A whole Slack thread -> one storage document (header, messages, footer)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from lxml import etree

from .message import (
    author_name,
    is_edited,
    is_visible,
    message_time,
    thread_order,
    write_message_body,
)
from .models import ThreadContext
from .rich_text import RenderEnv, is_safe_href
from .storage import append_text, new_root, serialize, sub, sub_text


def _stamp(dt: datetime) -> str:
    return f"{dt:%Y-%m-%d %H:%M} {dt.tzname()}"


def _date_range(first: datetime, last: datetime) -> str:
    if first.date() == last.date():
        return f"{first:%Y-%m-%d %H:%M}–{last:%H:%M} {last.tzname()}"
    return f"{_stamp(first)} – {_stamp(last)}"


def _labelled(parent: etree._Element, label: str) -> etree._Element:
    p = sub(parent, "p")
    sub_text(p, "strong", label)
    append_text(p, " ")
    return p


def thread_to_storage(messages: Sequence[Mapping[str, Any]], ctx: ThreadContext) -> str:
    """The thread document; deleted/hidden messages are left out."""
    visible = thread_order(m for m in messages if is_visible(m))
    env = RenderEnv(ctx.names, ctx.tz)
    authors = list(dict.fromkeys(author_name(m, ctx.names) for m in visible))
    whens = [message_time(m, ctx.tz) for m in visible]
    times = [when for when in whens if isinstance(when, datetime)]

    root = new_root()
    append_text(_labelled(root, "Channel:"), "#" + ctx.channel_name.lstrip("#"))
    if ctx.permalink and is_safe_href(ctx.permalink):
        link = sub(_labelled(root, "Slack thread:"), "a", {"href": ctx.permalink})
        link.text = "Open in Slack"
    append_text(_labelled(root, "Participants:"), ", ".join(authors) or "none")
    append_text(_labelled(root, "Date:"), _date_range(times[0], times[-1]) if times else "none")
    sub(root, "hr")

    for message, when in zip(visible, whens, strict=True):
        header = sub(root, "p")
        sub_text(header, "strong", author_name(message, ctx.names))
        if isinstance(when, datetime):
            append_text(header, f" · {_stamp(when)}")
        else:  # reported like other bad input: a visible note, the content still saved
            append_text(header, " ")
            sub_text(header, "em", f"(bad message: {when})")
        if is_edited(message):
            append_text(header, " (edited)")
        write_message_body(root, message, env, ctx.files)

    sub(root, "hr")
    footer = ctx.attribution or f"Saved from Slack by {ctx.saved_by}"
    sub_text(sub(root, "p"), "em", footer)
    return serialize(root)
