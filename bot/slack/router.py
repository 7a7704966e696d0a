"""Parse `/confluence <subcommand> ...` into a typed command (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Subcommand = Literal[
    "search",
    "recent",
    "create",
    "comment",
    "digest",
    "notify",
    "connect",
    "disconnect",
    "whoami",
    "tasks",
    "me",
    "help",
]
SUBCOMMANDS: frozenset[str] = frozenset(
    {"search", "recent", "create", "comment", "digest", "connect", "disconnect", "whoami", "help"}
    | {"tasks", "me", "notify"}
)
MAX_QUERY = 500
_IN_SPACE = re.compile(r"(?:^|\s)in:(?P<key>~?[A-Za-z0-9_-]+)(?=\s|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    name: Subcommand
    args: str = ""
    # A search that came from text that wasn't a subcommand (a typo, or just words).
    implicit: bool = False


@dataclass(frozen=True)
class SearchQuery:
    text: str
    space_key: str | None = None


def parse_command(text: str) -> Command:
    text = (text or "").strip()
    if not text:
        return Command("help")
    parts = text.split(maxsplit=1)
    word = parts[0].lower()
    if word in SUBCOMMANDS:
        return Command(word, parts[1].strip() if len(parts) > 1 else "")  # type: ignore[arg-type]
    return Command("search", text, implicit=True)


def parse_search(args: str) -> SearchQuery:
    """`words [in:SPACEKEY]` — the last in:KEY wins; the rest is the query text."""
    space: str | None = None
    for match in _IN_SPACE.finditer(args):
        space = match["key"]
    words = " ".join(_IN_SPACE.sub(" ", args).split())
    return SearchQuery(words[:MAX_QUERY], space.upper() if space and space[0] != "~" else space)
