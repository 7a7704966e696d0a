"""Where each poll group got to: the port the store implements (``bot.store.watermarks``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

__all__ = ["WatermarkAdvance", "WatermarkStore"]


@dataclass(frozen=True, slots=True)
class WatermarkAdvance:
    """Poll group `key` has seen everything before `to`. Never moves a watermark backwards.

    A delivery `Followup` (``Courier.send(..., then=[...])`` writes it in the same transaction as
    the completions), or written alone with `WatermarkStore.advance` after a round with nothing
    to post."""

    key: str
    to: datetime


class WatermarkStore(Protocol):
    """Poll group keys are strings the feature chooses ("notify:<identity>:<ENG,OPS>",
    "personal:<team>:<user>")."""

    async def get_many(self, keys: Sequence[str]) -> dict[str, datetime]:
        """The watermarks of those keys that have one."""
        ...

    async def seed(self, key: str, at: datetime) -> None:
        """Start a group at `at` unless it already has a watermark."""
        ...

    async def advance(self, advances: Sequence[WatermarkAdvance]) -> None:
        """Move watermarks forward (never back), in one transaction; absent keys are created."""
        ...

    async def delete(self, keys: Sequence[str]) -> None: ...
