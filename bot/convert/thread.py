"""A whole Slack thread -> one storage document (header, messages, footer)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from lxml import etree

from .message import author_name, is_edited, messages_sorted, write_message_body
from .models import ThreadContext
from .rich_text import RenderEnv, is_safe_href
from .storage import append_text, new_root, serialize, sub, sub_text


def _when(message: Mapping[str, Any], tz: tzinfo) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(message.get("ts") or ""), tz)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _stamp(dt: datetime) -> str:
    return f"{dt:%Y-%m-%d %H:%M} {dt.tzname()}"


def _date_range(first: datetime | None, last: datetime | None) -> str:
    if first is None or last is None:
        return _stamp(first or last) if (first or last) else "unknown"  # type: ignore[arg-type]
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
    visible = messages_sorted(messages)
    env = RenderEnv(ctx.names, ctx.tz)
    authors = list(dict.fromkeys(author_name(m, ctx.names) for m in visible))
    times = [_when(m, ctx.tz) for m in visible]

    root = new_root()
    append_text(_labelled(root, "Channel:"), "#" + ctx.channel_name.lstrip("#"))
    if ctx.permalink and is_safe_href(ctx.permalink):
        link = sub(_labelled(root, "Slack thread:"), "a", {"href": ctx.permalink})
        link.text = "Open in Slack"
    append_text(_labelled(root, "Participants:"), ", ".join(authors) or "none")
    append_text(_labelled(root, "Date:"), _date_range(times[0], times[-1]) if times else "none")
    sub(root, "hr")

    for message, when in zip(visible, times, strict=True):
        header = sub(root, "p")
        sub_text(header, "strong", author_name(message, ctx.names))
        stamp = f" · {_stamp(when)}" if when else ""
        append_text(header, stamp + (" (edited)" if is_edited(message) else ""))
        write_message_body(root, message, env, ctx.files)

    sub(root, "hr")
    footer = ctx.attribution or f"Saved from Slack by {ctx.saved_by}"
    sub_text(sub(root, "p"), "em", footer)
    return serialize(root)
