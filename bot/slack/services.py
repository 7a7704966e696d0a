"""What listeners need, bundled; built by bot.bootstrap."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.confluence import ConfluenceClient, ConfluenceError
from bot.slack.error_messages import user_message
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

    async def attribution_for(
        self, team_id: str | None, user_id: str | None, user_name: str
    ) -> str | None:
        """The line added to what a user writes through a shared identity (None: they act as themselves)."""
        return f"Posted from Slack by {user_name}"

    async def on_confluence_error(
        self, exc: ConfluenceError, team_id: str | None, user_id: str | None, *, action: str
    ) -> str:
        """Log one line with context and return the sentence to show that user (privately)."""
        log.warning(
            "confluence error action=%s team=%s user=%s error=%s", action, team_id, user_id, exc
        )
        return user_message(exc)

    async def aclose(self, *, drain_timeout: float = 10.0) -> None:
        await self.tasks.drain(drain_timeout)
        await self.confluence.aclose()
        await self.store.close()
