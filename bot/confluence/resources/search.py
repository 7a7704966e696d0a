"""CQL search (v1: there is no search in v2)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.confluence.paging import PageOf, Pager
from bot.confluence.resources.base import V1, Resource, csv
from bot.confluence.resources.params import Excerpt
from bot.confluence.search_models import SearchResult


class SearchAPI(Resource):
    def cql(
        self,
        cql: str,
        *,
        limit: int | None = 25,
        excerpt: Excerpt | None = "highlight",
        include_archived: bool | None = None,
        expand: Sequence[str] = (),
    ) -> Pager[SearchResult]:
        """Results of a CQL query (build it with bot.confluence.cql.search_cql). Pages by cursor.

        ``expand`` adds parts of each hit's content, e.g. ``content.version`` (number, minorEdit,
        message, by, when), ``content.history``, ``content.ancestors``, ``content.container``,
        ``content.space``, ``content.metadata.labels``, ``content.body.storage`` (with a body,
        Confluence returns at most 50 hits a page whatever ``limit`` says).
        """
        params: dict[str, Any] = {
            "cql": cql,
            "limit": limit,
            "excerpt": excerpt,
            "includeArchivedSpaces": None
            if include_archived is None
            else str(include_archived).lower(),
            "expand": csv(list(expand)),
        }
        return self._list(SearchResult, f"{V1}/search", params)

    async def page(
        self,
        cql: str,
        *,
        limit: int = 5,
        cursor: str | None = None,
        expand: Sequence[str] = (),
    ) -> PageOf[SearchResult]:
        """One page of results; pass the returned `.cursor` to get the next one."""
        return await self.cql(cql, limit=limit, expand=expand).page(cursor)
