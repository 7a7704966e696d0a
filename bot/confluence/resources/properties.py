"""Content properties (small JSON values kept on pages, blog posts, spaces)."""

from __future__ import annotations

from typing import Any

from bot.confluence.http import ConfluenceHttp
from bot.confluence.models import ContentProperty
from bot.confluence.paging import Pager
from bot.confluence.resources.base import Resource


class PropertiesAPI(Resource):
    def __init__(self, http: ConfluenceHttp, connection: str | None, owner_path: str) -> None:
        super().__init__(http, connection)
        self._owner_path = owner_path  # e.g. /wiki/api/v2/pages/{id}

    def list(self, *, key: str | None = None, limit: int | None = None) -> Pager[ContentProperty]:
        return self._list(
            ContentProperty, f"{self._owner_path}/properties", {"key": key, "limit": limit}
        )

    async def get(self, property_id: str) -> ContentProperty:
        return await self._get(ContentProperty, f"{self._owner_path}/properties/{property_id}")

    async def find(self, key: str) -> ContentProperty | None:
        """The property with this key, or None."""
        page = await self.list(key=key, limit=1).page()
        return page.items[0] if page.items else None

    async def create(self, key: str, value: Any) -> ContentProperty:
        return await self._send(
            "POST", ContentProperty, f"{self._owner_path}/properties", {"key": key, "value": value}
        )

    async def update(
        self, property_id: str, key: str, value: Any, *, version: int
    ) -> ContentProperty:
        """`version` is the new number (current + 1)."""
        return await self._send(
            "PUT",
            ContentProperty,
            f"{self._owner_path}/properties/{property_id}",
            {"key": key, "value": value, "version": {"number": version}},
        )

    async def upsert(self, key: str, value: Any) -> ContentProperty:
        """Create the property, or update it to `value` with the next version."""
        current = await self.find(key)
        if current is None:
            return await self.create(key, value)
        number = (current.version.number if current.version else 0) + 1
        return await self.update(current.id, key, value, version=number)

    async def delete(self, property_id: str) -> None:
        await self._delete(f"{self._owner_path}/properties/{property_id}")
