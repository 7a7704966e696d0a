"""One Slack message -> storage: which content source to use, files, visibility, author."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from lxml import etree

from .attachments import attachment_blocks
from .layout import layout_blocks
from .models import FileOutcome, Names
from .mrkdwn import parse_mrkdwn
from .rich_text import RenderEnv, items, write_rich_text
from .storage import (
    add_attachment_image,
    add_attachment_link,
    append_text,
    new_root,
    serialize,
    sub,
    sub_text,
)

_SKIPPED_SUBTYPES = frozenset({"message_deleted", "tombstone"})


def is_visible(message: Mapping[str, Any]) -> bool:
    """False for deleted messages, tombstones and hidden messages."""
    return not (message.get("hidden") or message.get("subtype") in _SKIPPED_SUBTYPES)


def is_edited(message: Mapping[str, Any]) -> bool:
    return bool(message.get("edited"))


def content_blocks(message: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """What the message shows, as rich_text blocks: its `blocks` (every kind, see layout.py),
    or, when they show nothing, its mrkdwn `text`; then its legacy `attachments`. As in Slack,
    `text` is only the fallback (notification) text of a message with blocks, so it is not
    shown twice."""
    blocks: list[Mapping[str, Any]] = layout_blocks(message.get("blocks"))
    if not blocks:
        text = message.get("text")
        blocks = [*parse_mrkdwn(text)] if isinstance(text, str) else []
    return [*blocks, *attachment_blocks(message.get("attachments"))]


def author_name(message: Mapping[str, Any], names: Names) -> str:
    """Bots by their bot name, people by resolved display name, else the raw id."""
    profile = message.get("bot_profile")
    bot_name = profile.get("name") if isinstance(profile, Mapping) else None
    user = message.get("user")
    if message.get("subtype") == "bot_message" or (message.get("bot_id") and not user):
        return str(bot_name or message.get("username") or message.get("bot_id") or "bot")
    if isinstance(user, str) and user:
        return names.users.get(user) or bot_name or user
    return str(bot_name or message.get("username") or "Unknown")


def write_files(
    parent: etree._Element, message: Mapping[str, Any], files: Mapping[str, FileOutcome]
) -> None:
    """Each file as image, attachment link, or a visible note saying why it is missing."""
    for file in items(message.get("files")):
        if not isinstance(file, Mapping):
            continue
        outcome = files.get(str(file.get("id", "")))
        name = (outcome.name if outcome else None) or str(
            file.get("name") or file.get("id") or "file"
        )
        p = sub(parent, "p")
        if outcome and outcome.attachment_filename and not outcome.error:
            if outcome.is_image:
                add_attachment_image(p, outcome.attachment_filename)
            else:
                add_attachment_link(p, outcome.attachment_filename, name)
            continue
        if outcome and outcome.error:
            note = f"not attached: {outcome.error}"
        elif file.get("mode") == "tombstone":
            note = "file was deleted in Slack"
        else:
            note = "not attached"
        append_text(p, f"📎 {name} ")
        sub_text(p, "em", f"({note})")


def write_message_body(
    parent: etree._Element,
    message: Mapping[str, Any],
    env: RenderEnv,
    files: Mapping[str, FileOutcome],
) -> None:
    write_rich_text(parent, content_blocks(message), env)
    write_files(parent, message, files)


def message_to_storage(
    message: Mapping[str, Any],
    names: Names,
    files: Mapping[str, FileOutcome] | None = None,
    *,
    tz: tzinfo = UTC,
) -> str:
    """One message body as storage ("" for deleted/hidden messages); "(edited)" appended."""
    if not is_visible(message):
        return ""
    root = new_root()
    write_message_body(root, message, RenderEnv(names, tz), files or {})
    if is_edited(message):
        sub_text(sub(root, "p"), "em", "(edited)")
    return serialize(root)


_LAST_SECOND = 253_402_300_799  # 9999-12-31T23:59:59Z, the last moment datetime can hold


def _number(raw: object) -> float | None:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        return None
    try:
        number = float(raw)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _seconds(message: Mapping[str, Any]) -> float | None:
    """The message's `ts` in seconds, when it is a number a moment can have."""
    number = _number(message.get("ts"))
    return number if number is not None and abs(number) <= _LAST_SECOND else None


def message_time(message: Mapping[str, Any], tz: tzinfo) -> datetime | str:
    """When the message was posted, in `tz`; else why its `ts` gives no time (the thread
    document reports such a message as a bad one rather than failing)."""
    raw = message.get("ts")
    seconds = _seconds(message)
    if seconds is not None:
        try:
            return datetime.fromtimestamp(seconds, tz)
        except (OverflowError, OSError, ValueError):
            pass
    if raw is None or raw == "":
        return "no timestamp"
    if _number(raw) is None:
        return f'timestamp "{raw}" is not a number'
    return f'timestamp "{raw}" is out of range'


def thread_order(messages: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Oldest first by `ts`; messages whose `ts` is not a number come last, in given order."""
    timed: list[tuple[float, int, Mapping[str, Any]]] = []
    untimed: list[Mapping[str, Any]] = []
    for index, message in enumerate(messages):
        seconds = _seconds(message)
        if seconds is None:
            untimed.append(message)
        else:
            timed.append((seconds, index, message))
    timed.sort(key=lambda entry: entry[:2])
    return [message for _, _, message in timed] + untimed
