"""What listeners need, bundled; built by bot.bootstrap."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.confluence import ConfluenceClient
from bot.store import Store
from bot.tasks import BackgroundTasks

log = logging.getLogger("bot.slack")


@dataclass
class Services:
    settings: Settings
    confluence: ConfluenceClient
    store: Store
    tasks: BackgroundTasks

    async def confluence_for(self, team_id: str | None, user_id: str | None) -> ConfluenceClient:
        """The Confluence identity a Slack user acts as. Until per-user linking lands: the shared one."""
        return self.confluence

    async def aclose(self, *, drain_timeout: float = 10.0) -> None:
        await self.tasks.drain(drain_timeout)
        await self.confluence.aclose()
        await self.store.close()
