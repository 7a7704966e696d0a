"""Cursor paging: follow `_links.next` (or the `Link` header) to the end, or take one page at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx

from bot.confluence.errors import MalformedAnswer
from bot.confluence.http import ConfluenceHttp, decode_json, site_relative
from bot.confluence.views import View

T = TypeVar("T", bound=View)

MAX_LIMIT = 250


@dataclass
class PageOf(Generic[T]):
    """One page of results. `next_link` is the path to fetch next (None at the end)."""

    items: list[T]
    next_link: str | None
    base: str | None

    @property
    def cursor(self) -> str | None:
        """The opaque `cursor` query value of the next link, for callers that keep paging state."""
        if not self.next_link:
            return None
        values = parse_qs(urlsplit(self.next_link).query).get("cursor")
        return values[0] if values else None


def check_limit(limit: int | None) -> int | None:
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    return limit


def next_link(payload: Any, response: httpx.Response, *, context: str = "/wiki") -> str | None:
    """The next page's site-root path from the body's `_links.next`, else from the `Link` header."""
    link: str | None = None
    if isinstance(payload, dict):
        links = payload.get("_links")
        if isinstance(links, dict) and isinstance(links.get("next"), str):
            link = links["next"]
    if link is None:
        header = response.links.get("next")
        if header:
            link = header.get("url")
    if not link:
        return None
    link = site_relative(link)
    # v1 next links are relative to the context path (/wiki): "/rest/api/search?...".
    if not link.startswith(context + "/"):
        link = context + link
    return link


class Pager(Generic[T]):
    """Async iterator over every item of a cursor-paged list. Nothing is fetched until used."""

    def __init__(
        self,
        http: ConfluenceHttp,
        path: str,
        params: dict[str, Any],
        model: type[T],
        *,
        connection: str | None = None,
    ) -> None:
        self._http = http
        self._path = path
        self._params = params
        self._model = model
        self._connection = connection

    async def page(self, cursor: str | None = None, *, link: str | None = None) -> PageOf[T]:
        """The first page, the page at `cursor`, or the page at a `next_link` from an earlier page."""
        if link is not None:
            path, params = link, None
        else:
            path = self._path
            params = dict(self._params)
            if cursor is not None:
                params["cursor"] = cursor
        response = await self._http.request("GET", path, params=params, connection=self._connection)
        payload = decode_json(response)
        results = payload.get("results", []) if isinstance(payload, dict) else None
        if type(results) is not list or not all(type(item) is dict for item in results):
            raise MalformedAnswer(f"GET {self._path} answered without a list of results")
        links = payload.get("_links")
        # The base once per page: every item's links hang off it (its own `_links.base` first).
        base = await self._http.wiki_base(links)
        model = self._model
        return PageOf(
            items=[model(item, base) for item in results],
            next_link=next_link(payload, response),
            base=base,
        )

    async def pages(self) -> AsyncIterator[PageOf[T]]:
        current = await self.page()
        yield current
        while current.next_link:
            current = await self.page(link=current.next_link)
            yield current

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def collect(self, max_items: int | None = None) -> list[T]:
        """Every item (or the first `max_items`), a page at a time."""
        out: list[T] = []
        async for page in self.pages():
            out.extend(page.items)
            if max_items is not None and len(out) >= max_items:
                return out[:max_items]
        return out
