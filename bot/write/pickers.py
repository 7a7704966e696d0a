"""Finding what to write to: spaces by key or name, pages by title (within a space or not)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.confluence import ConfluenceClient, quote, strip_highlights

# Spaces have no name filter in the v2 API: list up to this many and filter here.
MAX_SPACES_SCANNED = 1000
SEARCH_LIMIT = 25
_WORDS = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SpaceChoice:
    """A chosen space, kept as "<id>|<key>" (ids and keys are short; well under 150)."""

    id: str
    key: str

    @property
    def value(self) -> str:
        return f"{self.id}|{self.key}"

    @classmethod
    def parse(cls, value: str | None) -> SpaceChoice | None:
        if not value or "|" not in value:
            return None
        space_id, key = value.split("|", 1)
        return cls(space_id, key) if space_id and key else None


@dataclass(frozen=True)
class SpaceFound:
    choice: SpaceChoice
    name: str


@dataclass(frozen=True)
class PageFound:
    id: str
    title: str
    where: str | None  # the space's name (or key) when the search spans spaces


def _matches_space(query: str, key: str, name: str) -> bool:
    if not query:
        return True
    q = query.casefold()
    if key.casefold().startswith(q):
        return True
    words = [w.casefold() for w in _WORDS.findall(name)]
    return name.casefold().startswith(q) or any(w.startswith(q) for w in words)


async def find_spaces(confluence: ConfluenceClient, query: str, *, limit: int) -> list[SpaceFound]:
    """Current spaces whose key or a word of whose name starts with `query`; at most `limit`."""
    query = query.strip()
    found: list[SpaceFound] = []
    scanned = 0
    async for space in confluence.spaces.list(status="current", limit=250):
        scanned += 1
        if _matches_space(query, space.key, space.name or ""):
            found.append(SpaceFound(SpaceChoice(space.id, space.key), space.name or space.key))
            if len(found) >= limit:
                break
        if scanned >= MAX_SPACES_SCANNED:
            break
    return found


def _title_clause(query: str) -> str | None:
    words = _WORDS.findall(query)
    if not words:
        return None
    # Each word as a prefix: "deploy chec" finds "Deploy checklist".
    return " AND ".join(f"title ~ {quote(w + '*')}" for w in words[:6])


def page_search_cql(query: str, space_key: str | None = None) -> str:
    clauses = ["type = page"]
    if space_key:
        clauses.append(f"space = {quote(space_key)}")
    title = _title_clause(query)
    if title:
        clauses.append(f"({title})")
    return " AND ".join(clauses) + " order by lastmodified desc"


async def find_pages(
    confluence: ConfluenceClient, query: str, *, space_key: str | None = None
) -> list[PageFound]:
    """Pages whose title words start with the typed words (within one space when given)."""
    page = await confluence.search.page(page_search_cql(query, space_key), limit=SEARCH_LIMIT)
    found: list[PageFound] = []
    for result in page.items:
        content = result.content
        if content is None or not content.id:
            continue
        title = strip_highlights(content.title or result.title) or f"Page {content.id}"
        where = None if space_key else (result.space_name or _space_key(result.space))
        found.append(PageFound(content.id, title, where))
    return found


def _space_key(space: dict[str, Any] | None) -> str | None:
    key = (space or {}).get("key")
    return str(key) if key else None
