"""Cursor paging: follow `_links.next` (or the `Link` header) to the end, or take one page at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bot.confluence.http import ConfluenceHttp, site_relative
from bot.confluence.models import LinkedModel

T = TypeVar("T", bound=BaseModel)


class _Envelope(BaseModel, Generic[T]):
    """A list response: validated from the raw bytes in one pass (no dict detour)."""

    model_config = ConfigDict(extra="ignore")
    results: list[T] = Field(default_factory=list)
    links: dict[str, Any] = Field(default_factory=dict, alias="_links")


@cache
def _envelope_adapter(model: type[BaseModel]) -> TypeAdapter[_Envelope[Any]]:
    return TypeAdapter(_Envelope[model])  # type: ignore[valid-type]


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
        envelope = _envelope_adapter(self._model).validate_json(response.content)
        base = await self._http.wiki_base(envelope.links)
        items: list[T] = envelope.results
        for item in items:
            if isinstance(item, LinkedModel):
                item.with_base(base)
        return PageOf(
            items=items, next_link=next_link({"_links": envelope.links}, response), base=base
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
        out: list[T] = []
        async for item in self:
            out.append(item)
            if max_items is not None and len(out) >= max_items:
                break
        return out
