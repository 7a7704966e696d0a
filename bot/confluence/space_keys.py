"""Space keys as users type them in commands: `ENG`, `eng, ops`, `~jdoe` (shared by every command
that names spaces: digests, channel notifications)."""

from __future__ import annotations

import re

__all__ = ["MAX_SPACE_KEY_LENGTH", "SpaceKeyError", "normalise_space_key", "take_space_keys"]

MAX_SPACE_KEY_LENGTH = 255

_GLOBAL_KEY = re.compile(r"[A-Za-z0-9]+")
_PERSONAL_KEY = re.compile(r"~[A-Za-z0-9][A-Za-z0-9:_.\-]*")


class SpaceKeyError(ValueError):
    """A key that cannot be a space key; the message is written for the user."""


def take_space_keys(words: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """Consume a comma-separated key list, allowing spaces around the commas; returns the keys
    (in order, once each) and the words after them."""
    taken = words[0]
    index = 1
    while index < len(words) and (taken.endswith(",") or words[index].startswith(",")):
        taken += words[index]
        index += 1
    keys: list[str] = []
    for raw in taken.split(","):
        if not raw:
            raise SpaceKeyError(f"Empty space key in “{taken}”.")
        key = normalise_space_key(raw)
        if key not in keys:
            keys.append(key)
    return tuple(keys), words[index:]


def normalise_space_key(raw: str) -> str:
    if len(raw) > MAX_SPACE_KEY_LENGTH:
        raise SpaceKeyError(f"Space key “{raw[:20]}…” is too long.")
    if _PERSONAL_KEY.fullmatch(raw):
        return raw
    if _GLOBAL_KEY.fullmatch(raw):
        return raw.upper()
    raise SpaceKeyError(
        f"“{raw}” isn't a space key. Space keys are letters and digits (like ENG), "
        "or start with ~ for a personal space."
    )
