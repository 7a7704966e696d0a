"""Cursor paging: follow `_links.next` (or the `Link` header) to the end, or take one page at a time."""

from __future__ import annotations

import asyncio
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


class _Ahead:
    """At most one page asked for ahead of the walk, as a task."""

    def __init__(self, pager: Pager[Any]) -> None:
        self._pager = pager
        self._link: str | None = None
        self._task: asyncio.Task[httpx.Response] | None = None

    def start(self, link: str | None) -> None:
        if link is not None and self._task is None:
            self._link = link
            self._task = asyncio.create_task(self._pager._fetch(link=link))

    async def take(self, link: str) -> httpx.Response:
        """The answer for `link`: the one asked for ahead when it is that page, else asked now."""
        task, self._task = self._task, None
        if task is not None and self._link == link:
            return await task
        _drop(task)
        return await self._pager._fetch(link=link)

    def drop(self) -> None:
        task, self._task = self._task, None
        _drop(task)


def _drop(task: asyncio.Task[httpx.Response] | None) -> None:
    """Cancel a request no one will read; a failure it already met is no one's to report."""
    if task is None:
        return
    task.cancel()
    if task.done() and not task.cancelled():
        task.exception()


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
        return await self._read(await self._fetch(cursor, link))

    async def _fetch(self, cursor: str | None = None, link: str | None = None) -> httpx.Response:
        if link is not None:
            path, params = link, None
        else:
            path = self._path
            params = dict(self._params)
            if cursor is not None:
                params["cursor"] = cursor
        return await self._http.request("GET", path, params=params, connection=self._connection)

    async def _read(self, response: httpx.Response) -> PageOf[T]:
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
        """Every page, in order. From the second page on, the next one is asked for while this
        one is read and handed out (its `Link` header names it before the body is decoded), so
        Confluence's latency overlaps our work and the caller's. A walk that stops on its first
        page asks for nothing more; one that stops later may leave one answer unread."""
        ahead = _Ahead(self)
        try:
            response = await self._fetch()
            number = 1
            while True:
                if number > 1:
                    ahead.start(next_link({}, response))  # from the Link header, if any
                current = await self._read(response)
                if number > 1:
                    ahead.start(current.next_link)  # no-op when already asked for
                yield current
                if not current.next_link:
                    return
                response = await ahead.take(current.next_link)
                number += 1
        finally:
            ahead.drop()

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
