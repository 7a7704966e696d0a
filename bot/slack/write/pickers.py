"""Options for the type-ahead selects: spaces, pages within a space, and any page."""

from __future__ import annotations

import re
from typing import Any

from bot.confluence import ConfluenceClient, quote, strip_highlights
from bot.slack import block_limits as lim
from bot.slack.blocks import Element, option
from bot.slack.write.views import SpaceChoice, space_option

# Spaces have no name filter in the v2 API: list up to this many and filter here.
MAX_SPACES_SCANNED = 1000
SEARCH_LIMIT = 25
_WORDS = re.compile(r"\w+", re.UNICODE)


def _matches_space(query: str, key: str, name: str) -> bool:
    if not query:
        return True
    q = query.casefold()
    if key.casefold().startswith(q):
        return True
    words = [w.casefold() for w in _WORDS.findall(name)]
    return name.casefold().startswith(q) or any(w.startswith(q) for w in words)


async def space_options(confluence: ConfluenceClient, query: str) -> list[Element]:
    """Current spaces whose key or a word of whose name starts with `query`; at most 100."""
    query = query.strip()
    found: list[Element] = []
    scanned = 0
    async for space in confluence.spaces.list(status="current", limit=250):
        scanned += 1
        if _matches_space(query, space.key, space.name or ""):
            found.append(space_option(SpaceChoice(space.id, space.key), space.name or space.key))
            if len(found) >= lim.OPTIONS_PER_SELECT:
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


async def page_options(
    confluence: ConfluenceClient, query: str, *, space_key: str | None = None
) -> list[Element]:
    """Pages whose title words start with the typed words (within one space when given)."""
    page = await confluence.search.page(page_search_cql(query, space_key), limit=SEARCH_LIMIT)
    options: list[Element] = []
    for result in page.items:
        content = result.content
        if content is None or not content.id:
            continue
        title = strip_highlights(content.title or result.title) or f"Page {content.id}"
        where = None if space_key else (result.space_name or _space_key(result.space))
        options.append(option(title, content.id, description=where))
    return options


def _space_key(space: dict[str, Any] | None) -> str | None:
    key = (space or {}).get("key")
    return str(key) if key else None
