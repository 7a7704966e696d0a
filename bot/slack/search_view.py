"""Block Kit for search results, shared results and their buttons (state kept in button values)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.confluence import BlogPost, Page, SearchResult
from bot.confluence.cql import convert_highlights
from bot.convert import storage_to_mrkdwn
from bot.slack.blocks import (
    actions,
    button,
    context,
    link,
    message,
    mrkdwn_escape,
    section,
    truncate_mrkdwn,
)

SHARE_ACTION = "search_share"
MORE_ACTION = "search_more"
BUTTON_VALUE_LIMIT = 2000
TYPE_NAMES = {"page": "Page", "blogpost": "Blog post"}


@dataclass(frozen=True)
class ResultCard:
    """What a result shows; small enough to ride in a Share button's value."""

    url: str
    title: str
    space: str
    kind: str
    modified: str
    excerpt: str

    def to_value(self) -> str:
        """JSON within the 2,000-character button limit: the excerpt shrinks first, then the title."""
        fields = {
            "u": self.url,
            "t": self.title[:300],
            "s": self.space[:200],
            "k": self.kind,
            "m": self.modified,
            "e": self.excerpt,
        }
        if len(_dump({**fields, "e": "", "t": ""})) > BUTTON_VALUE_LIMIT:
            fields["u"] = _without_slug(self.url)
        for key in ("e", "t"):
            fields[key] = _fit(fields, key)
        value = _dump(fields)
        if len(value) > BUTTON_VALUE_LIMIT:
            raise ValueError("search result too large for a button value")
        return value

    @classmethod
    def from_value(cls, value: str) -> ResultCard:
        data: dict[str, Any] = json.loads(value)
        return cls(
            url=str(data["u"]),
            title=str(data["t"]),
            space=str(data.get("s", "")),
            kind=str(data.get("k", "")),
            modified=str(data.get("m", "")),
            excerpt=str(data.get("e", "")),
        )


_SLUG = re.compile(r"(/(?:pages|blog/[0-9]{4}/[0-9]{2}/[0-9]{2})/[0-9]+)/[^?#]*")


def _without_slug(url: str) -> str:
    """Confluence resolves /pages/ID without the title slug, which can be long when percent-encoded."""
    return _SLUG.sub(r"\1", url, count=1)


def _dump(fields: dict[str, str]) -> str:
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False)


def _fit(fields: dict[str, str], key: str) -> str:
    """The longest prefix of fields[key] that keeps the JSON within the limit (binary search)."""
    text = fields[key]
    if len(_dump(fields)) <= BUTTON_VALUE_LIMIT:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(_dump({**fields, key: text[:mid]})) <= BUTTON_VALUE_LIMIT:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


def _date(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d") if when else ""


def card_from_result(result: SearchResult) -> ResultCard:
    """Search hits arrive HTML-escaped (`&amp;`, `&quot;`): decoded here, once. The card keeps
    the title and space as plain text (escaped where they are shown) and the excerpt as mrkdwn."""
    kind = TYPE_NAMES.get(result.content_type or "", (result.content_type or "").title())
    # Highlights become bold: escape the text first, then wrap the highlighted runs.
    excerpt = convert_highlights(
        mrkdwn_escape(html.unescape(result.excerpt).replace("\n", " ")).strip(),
        lambda s: f"*{s}*",
    )
    return ResultCard(
        url=result.web_url,
        title=html.unescape(convert_highlights(result.title)) or "(untitled)",
        space=html.unescape(result.space_name or ""),
        kind=kind,
        modified=_date(result.last_modified),
        excerpt=truncate_mrkdwn(excerpt, 400),
    )


def card_from_content(content: Page | BlogPost, *, kind: str, space: str) -> ResultCard:
    """A card from the page itself (as read from Confluence), not from a button's value."""
    modified = content.version.created_at if content.version else content.created_at
    return ResultCard(
        url=content.web_url,
        title=content.title or "(untitled)",
        space=space,
        kind=TYPE_NAMES.get(kind, kind.title()),
        modified=_date(modified),
        excerpt=storage_to_mrkdwn(content.storage or "", 300),
    )


def shared_url(value: str) -> str | None:
    """The URL a Share button's value names (the rest of the value is not trusted)."""
    try:
        data = json.loads(value)
    except ValueError:
        return None
    url = data.get("u") if isinstance(data, dict) else None
    return url if isinstance(url, str) and url else None


def card_blocks(
    card: ResultCard, *, accessory: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    title = f"*{link(card.url, card.title)}*"
    meta = " · ".join(
        p
        for p in (
            mrkdwn_escape(card.space),
            card.kind,
            card.modified and f"updated {card.modified}",
        )
        if p
    )
    text = title + (f"\n{meta}" if meta else "") + (f"\n{card.excerpt}" if card.excerpt else "")
    return [section(text, accessory=accessory)]


def more_value(query: str, space: str | None, cursor: str, title: str) -> str | None:
    """The More button's value (compact keys: a button value holds 2000 characters, and the
    query and cursor take most of them); None when it would not fit."""
    value = json.dumps(
        {"q": query, "s": space, "c": cursor, "h": title}, separators=(",", ":"), ensure_ascii=False
    )
    return value if len(value) <= BUTTON_VALUE_LIMIT else None


@dataclass(frozen=True)
class MoreState:
    """A More button's value, read: the search (or, without a query, recent) to continue."""

    query: str
    space_key: str | None
    cursor: str


def more_state(value: str) -> MoreState:
    state = json.loads(value)
    return MoreState(str(state.get("q") or ""), state.get("s"), str(state["c"]))


def results_message(
    heading: str,
    cards: Sequence[ResultCard],
    *,
    more: str | None,
    empty_hint: str,
) -> dict[str, Any]:
    if not cards:
        return message(
            f"{heading}: no results", [section(f"{heading}: *no results.*\n{empty_hint}")]
        )
    blocks: list[dict[str, Any]] = [context(heading)]
    for card in cards:
        share = button("Share in channel", SHARE_ACTION, value=card.to_value())
        blocks.extend(card_blocks(card, accessory=share))
    if more:
        blocks.append(actions(button("More results", MORE_ACTION, value=more)))
    fallback = f"{heading}: " + ", ".join(mrkdwn_escape(c.title) for c in cards)
    return message(fallback, blocks)


def shared_message(card: ResultCard, user_id: str) -> dict[str, Any]:
    blocks = [*card_blocks(card), context(f"Shared by <@{user_id}>")]
    return message(f"{mrkdwn_escape(card.title)} {card.url} (shared by <@{user_id}>)", blocks)
