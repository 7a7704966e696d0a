"""Maton connection management (one OAuth connection per Atlassian account)."""

from __future__ import annotations

from typing import Any

from bot.confluence.models import MatonConnection
from bot.confluence.resources.base import Resource


def _unwrap(payload: Any) -> Any:
    if isinstance(payload, dict) and isinstance(payload.get("connection"), dict):
        return payload["connection"]
    return payload


class ConnectionsAPI(Resource):
    async def list(
        self, *, app: str | None = "confluence", status: str | None = None
    ) -> list[MatonConnection]:
        payload = await self._http.request_json(
            "GET", "/connections", target="connections", params={"app": app, "status": status}
        )
        items = payload.get("connections", []) if isinstance(payload, dict) else payload or []
        return [MatonConnection.model_validate(item) for item in items]

    async def create(self, app: str = "confluence") -> MatonConnection:
        """A new PENDING connection; send the user to its `url` to authorise."""
        payload = await self._http.request_json(
            "POST", "/connections", target="connections", json={"app": app}
        )
        return MatonConnection.model_validate(_unwrap(payload))

    async def get(self, connection_id: str) -> MatonConnection:
        payload = await self._http.request_json(
            "GET", f"/connections/{connection_id}", target="connections"
        )
        return MatonConnection.model_validate(_unwrap(payload))

    async def delete(self, connection_id: str) -> None:
        await self._http.request_json(
            "DELETE", f"/connections/{connection_id}", target="connections"
        )
