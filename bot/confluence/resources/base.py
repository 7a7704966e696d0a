"""Shared plumbing for resource classes: typed get/list/create/update/delete on v2 paths."""

from __future__ import annotations

from typing import Any, TypeVar

from bot.confluence.http import ConfluenceHttp
from bot.confluence.models import LinkedModel
from bot.confluence.paging import Pager, check_limit
from bot.confluence.views import View

V2 = "/wiki/api/v2"
V1 = "/wiki/rest/api"

M = TypeVar("M", bound=View)


def storage_body(value: str) -> dict[str, str]:
    return {"representation": "storage", "value": value}


class Resource:
    """Bound to one HTTP core and one connection (None = the client's default identity)."""

    def __init__(self, http: ConfluenceHttp, connection: str | None) -> None:
        self._http = http
        self._connection = connection

    async def _parse(self, model: type[M], payload: Any) -> M:
        """One object, every field checked now; links hang off the site's wiki base."""
        base = None
        if issubclass(model, LinkedModel):
            links = payload.get("_links") if isinstance(payload, dict) else None
            base = await self._http.wiki_base(links)
        return model.model_validate(payload, base)

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return await self._http.request_json(method, path, connection=self._connection, **kwargs)

    async def _get(self, model: type[M], path: str, params: dict[str, Any] | None = None) -> M:
        return await self._parse(model, await self._json("GET", path, params=params))

    async def _send(
        self, method: str, model: type[M], path: str, body: dict[str, Any], **kwargs: Any
    ) -> M:
        return await self._parse(model, await self._json(method, path, json=body, **kwargs))

    async def _delete(self, path: str, params: dict[str, Any] | None = None) -> None:
        await self._json("DELETE", path, params=params)

    def _list(self, model: type[M], path: str, params: dict[str, Any] | None = None) -> Pager[M]:
        clean = dict(params or {})
        check_limit(clean.get("limit"))
        return Pager(self._http, path, clean, model, connection=self._connection)


def csv(values: Any) -> str | None:
    """v2 array query parameters are comma-separated (style=form, explode=false)."""
    if values is None:
        return None
    if isinstance(values, str):
        return values
    items = [str(v) for v in values]
    return ",".join(items) if items else None
