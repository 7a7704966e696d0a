"""CQL search (v1: there is no search in v2)."""

from __future__ import annotations

from typing import Any

from bot.confluence.models import SearchResult
from bot.confluence.paging import PageOf, Pager
from bot.confluence.resources.base import V1, Resource
from bot.confluence.resources.params import Excerpt


class SearchAPI(Resource):
    def cql(
        self,
        cql: str,
        *,
        limit: int | None = 25,
        excerpt: Excerpt | None = "highlight",
        include_archived: bool | None = None,
    ) -> Pager[SearchResult]:
        """Results of a CQL query (build it with bot.confluence.cql.search_cql). Pages by cursor."""
        params: dict[str, Any] = {
            "cql": cql,
            "limit": limit,
            "excerpt": excerpt,
            "includeArchivedSpaces": None
            if include_archived is None
            else str(include_archived).lower(),
        }
        return self._list(SearchResult, f"{V1}/search", params)

    async def page(
        self, cql: str, *, limit: int = 5, cursor: str | None = None
    ) -> PageOf[SearchResult]:
        """One page of results; pass the returned `.cursor` to get the next one."""
        return await self.cql(cql, limit=limit).page(cursor)
