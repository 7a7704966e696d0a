"""Reading what a write modal holds: its inputs' state as submitted, and its metadata."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from bot.slack.write.metadata import CreateMetadata, SaveMetadata
from bot.slack.write.views import CREATE_VIEW, SAVE_VIEW, SPACE_ACTION, TITLE_ACTION
from bot.write import SpaceChoice


def _values(view: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    values = ((view.get("state") or {}).get("values")) or {}
    return values if isinstance(values, dict) else {}


def action_value(view: Mapping[str, Any], action_id: str) -> dict[str, Any] | None:
    """The state entry of `action_id`, whatever block it sits in."""
    for block in _values(view).values():
        if isinstance(block, dict) and isinstance(block.get(action_id), dict):
            entry: dict[str, Any] = block[action_id]
            return entry
    return None


def text_value(view: Mapping[str, Any], action_id: str) -> str:
    entry = action_value(view, action_id) or {}
    return str(entry.get("value") or "").strip()


_SPACES = re.compile(r"\s+")


def clean_title(text: str) -> str:
    """A page title without control characters (as bodies are): line breaks and tabs become
    spaces, other control characters (NUL, ESC, DEL, C1) go, runs of spaces become one."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) != "Cc"
    )
    return _SPACES.sub(" ", kept).strip()


def title_value(view: Mapping[str, Any]) -> str:
    return clean_title(text_value(view, TITLE_ACTION))


def selected_value(view: Mapping[str, Any], action_id: str) -> str | None:
    entry = action_value(view, action_id) or {}
    selected = entry.get("selected_option") or {}
    value = selected.get("value") if isinstance(selected, dict) else None
    return str(value) if value else None


def checked(view: Mapping[str, Any], action_id: str, value: str) -> bool:
    entry = action_value(view, action_id)
    if entry is None:
        return False
    return any(o.get("value") == value for o in entry.get("selected_options") or [])


def block_id_of(view: Mapping[str, Any], action_id: str, default: str) -> str:
    """The block holding `action_id` (for inline errors on blocks whose id varies)."""
    for block_id, block in _values(view).items():
        if isinstance(block, dict) and action_id in block:
            return str(block_id)
    for block in view.get("blocks") or []:
        if (block.get("element") or {}).get("action_id") == action_id:
            return str(block.get("block_id") or default)
    return default


def chosen_space(view: Mapping[str, Any]) -> SpaceChoice | None:
    """The space picked in a save or create modal: from the live view state, else from the
    modal's metadata (set when the space was picked)."""
    chosen = SpaceChoice.parse(selected_value(view, SPACE_ACTION))
    if chosen is not None:
        return chosen
    codecs: dict[str, type[SaveMetadata | CreateMetadata]] = {
        SAVE_VIEW: SaveMetadata,
        CREATE_VIEW: CreateMetadata,
    }
    codec = codecs.get(str(view.get("callback_id")))
    try:
        return codec.load(view.get("private_metadata")).space_choice if codec else None
    except ValueError:
        return None
