"""Stand-in (foundation contract): watermarks per poll group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class WatermarkAdvance:
    key: str
    to: datetime


class WatermarkStore(Protocol):
    async def get_many(self, keys: Sequence[str]) -> dict[str, datetime]: ...

    async def seed(self, key: str, at: datetime) -> None: ...

    async def delete(self, keys: Sequence[str]) -> None: ...

    async def advance(self, advances: Sequence[WatermarkAdvance]) -> None: ...
