"""Spaces and what hangs off them."""

from __future__ import annotations

import builtins

from bot.confluence.models import Label, Space, SpacePermission
from bot.confluence.paging import Pager
from bot.confluence.resources.base import V2, Resource, csv
from bot.confluence.resources.params import SpaceStatus, SpaceType
from bot.confluence.resources.properties import PropertiesAPI


class SpacesAPI(Resource):
    def list(
        self,
        *,
        keys: str | list[str] | None = None,
        ids: str | list[str] | None = None,
        type: SpaceType | None = None,
        status: SpaceStatus | None = None,
        limit: int | None = None,
    ) -> Pager[Space]:
        return self._list(
            Space,
            f"{V2}/spaces",
            {"keys": csv(keys), "ids": csv(ids), "type": type, "status": status, "limit": limit},
        )

    async def get(self, space_id: str) -> Space:
        return await self._get(Space, f"{V2}/spaces/{space_id}")

    async def by_keys(self, keys: builtins.list[str]) -> dict[str, Space]:
        """Spaces for these keys (at most 250), by upper-case key; unknown keys are absent."""
        found: dict[str, Space] = {}
        if not keys:
            return found
        async for space in self.list(keys=keys, limit=min(250, max(1, len(keys)))):
            found[space.key.upper()] = space
        return found

    def properties(self, space_id: str) -> PropertiesAPI:
        return PropertiesAPI(self._http, self._connection, f"{V2}/spaces/{space_id}")

    def permissions(self, space_id: str, *, limit: int | None = None) -> Pager[SpacePermission]:
        return self._list(SpacePermission, f"{V2}/spaces/{space_id}/permissions", {"limit": limit})

    def labels(self, space_id: str, *, limit: int | None = None) -> Pager[Label]:
        return self._list(Label, f"{V2}/spaces/{space_id}/labels", {"limit": limit})
