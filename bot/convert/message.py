"""One Slack message -> storage: which content source to use, files, visibility, author."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, tzinfo
from typing import Any

from lxml import etree

from .models import FileOutcome, Names
from .mrkdwn import parse_mrkdwn
from .rich_text import RenderEnv, write_rich_text
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
    """The message's rich_text blocks, or its mrkdwn `text` parsed into that shape."""
    blocks = [
        b
        for b in message.get("blocks") or []
        if isinstance(b, Mapping) and b.get("type") == "rich_text"
    ]
    if blocks:
        return blocks
    text = message.get("text")
    return list(parse_mrkdwn(text)) if isinstance(text, str) else []


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
    for file in message.get("files") or []:
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


def messages_sorted(messages: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return sorted((m for m in messages if is_visible(m)), key=lambda m: float(m.get("ts") or 0))
