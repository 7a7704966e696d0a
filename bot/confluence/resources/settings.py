"""Site settings (v1: v2 has none)."""

from __future__ import annotations

from bot.confluence.models import SystemInfo
from bot.confluence.resources.base import V1, Resource


class SettingsAPI(Resource):
    async def system_info(self) -> SystemInfo:
        """The site's cloud id, base URL and defaults, among them ``default_time_zone``: CQL reads
        date literals in the caller's time zone (``users.current().time_zone``), else in this one."""
        return await self._get(SystemInfo, f"{V1}/settings/systemInfo")
