"""App Home: one view assembled from the sections that features contribute.

Each feature adds its section (an async function of the caller, returning blocks) when
its listeners are registered; App Home knows no feature, and features never import one another's
views. Sections are shown by slot, then in the order they were added.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from enum import IntEnum
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import blocks
from bot.slack.caller import Caller

__all__ = ["AppHome", "Section", "Slot"]

Block = dict[str, Any]
Section = Callable[[Caller], Awaitable[Sequence[Block]]]


class Slot(IntEnum):
    STATUS = 0  # how the app reaches Confluence
    ACCOUNT = 1  # who this user acts as in Confluence
    HELP = 2  # what one can do
    FEATURES = 3  # what this user set up (digests, ...)


class AppHome:
    def __init__(self) -> None:
        self._sections: list[tuple[Slot, Section]] = []

    def add(self, slot: Slot, section: Section) -> None:
        self._sections.append((slot, section))

    async def view(self, caller: Caller) -> dict[str, Any]:
        """The Home tab for this user, each section asked in turn."""
        shown: list[Block] = []
        for _, section in sorted(self._sections, key=lambda added: added[0]):
            shown.extend(await section(caller))
        return blocks.home(shown)

    async def publish(self, client: AsyncWebClient, caller: Caller) -> None:
        await client.views_publish(user_id=caller.user_id, view=await self.view(caller))
