"""Stand-in (foundation contract): messages a feature keeps coming back to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class AnchorKey:
    kind: str
    subject: str
    topic: str


@dataclass(frozen=True)
class Anchor:
    key: AnchorKey
    channel_id: str
    ts: str
    opened_at: datetime
    updated_at: datetime
    names: tuple[str, ...]
    data: Mapping[str, Any]


class AnchorStore(Protocol):
    async def get_many(self, keys: Sequence[AnchorKey]) -> dict[AnchorKey, Anchor]: ...

    async def delete_subject(self, kind: str, subject: str) -> None: ...

    async def delete_before(self, kind: str, before: datetime) -> int: ...


@dataclass(frozen=True)
class AnchorWrite:
    anchor: Anchor
