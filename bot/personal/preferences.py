"""Personal notification preferences: the four kinds, a user's choice, `/confluence me` parsed (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import Literal

Kind = Literal["mentions", "comments", "watching", "tasks"]
KINDS: tuple[Kind, ...] = ("mentions", "comments", "watching", "tasks")
# Words accepted for each kind, besides its own name.
_ALIASES: dict[str, Kind] = {
    "mention": "mentions",
    "comment": "comments",
    "watch": "watching",
    "watched": "watching",
    "task": "tasks",
}
USAGE = (
    "`/confluence me` shows your personal notifications; "
    "`/confluence me on|off [mentions] [comments] [watching] [tasks]` switches them "
    "(no kinds: all four)."
)


@dataclass(frozen=True, slots=True)
class Preferences:
    """Which kinds of personal notification a linked user wants (all of them until they choose)."""

    mentions: bool = True
    comments: bool = True
    watching: bool = True
    tasks: bool = True

    def wants(self, kind: Kind) -> bool:
        return bool(getattr(self, kind))

    @property
    def enabled(self) -> tuple[Kind, ...]:
        return tuple(kind for kind in KINDS if self.wants(kind))

    def switched(self, kinds: Iterable[Kind], on: bool) -> Preferences:
        return replace(self, **dict.fromkeys(kinds, on))

    @classmethod
    def only(cls, kinds: Iterable[Kind]) -> Preferences:
        """Exactly these kinds on (what App Home's checkboxes send)."""
        chosen = set(kinds)
        return cls(**{kind: kind in chosen for kind in KINDS})

    @classmethod
    def of(cls, stored: object | None) -> Preferences:
        """From a stored row with one boolean per kind (None: nothing stored, all on)."""
        if stored is None:
            return cls()
        return cls(**{f.name: bool(getattr(stored, f.name)) for f in fields(cls)})


@dataclass(frozen=True, slots=True)
class ShowPreferences:
    """`/confluence me`"""


@dataclass(frozen=True, slots=True)
class SwitchPreferences:
    """`/confluence me on|off [kinds]` (kinds: all four when none was named)."""

    on: bool
    kinds: tuple[Kind, ...]


class ParseError(ValueError):
    """What was typed is not a `me` command; the message says what is accepted."""


def kind_of(word: str) -> Kind | None:
    word = word.lower()
    if word in KINDS:
        return word
    return _ALIASES.get(word)


def parse_me(args: str) -> ShowPreferences | SwitchPreferences:
    """`""`, `on`, `off`, `on mentions, comments`, `off all`... Raises ParseError."""
    words = [w for w in re.split(r"[\s,]+", args.strip()) if w]
    if not words:
        return ShowPreferences()
    switch, *named = (w.lower() for w in words)
    if switch not in ("on", "off"):
        raise ParseError(f"Say `on` or `off` first. {USAGE}")
    kinds: list[Kind] = []
    unknown: list[str] = []
    for word in named:
        kind = kind_of(word)
        if kind is not None:
            kinds.append(kind)
        elif word != "all":
            unknown.append(word)
    if unknown:
        listed = ", ".join(f"`{w[:30]}`" for w in unknown[:5])
        raise ParseError(f"I don't know {listed}: the kinds are {', '.join(KINDS)}. {USAGE}")
    chosen = tuple(k for k in KINDS if k in kinds) if kinds and "all" not in named else KINDS
    return SwitchPreferences(switch == "on", chosen)
