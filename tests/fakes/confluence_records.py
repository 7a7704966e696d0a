"""The records the fake Confluence keeps: one ``Item`` per stored entity, and its timestamps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.fakes.confluence_cql import SearchDoc

JSON = dict[str, Any]
CONTENT_KINDS = ("page", "blogpost")
COMMENT_KINDS = ("footer", "inline")


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Item:
    """One stored entity: ``data`` is the v2 JSON shape (with ``body.storage`` when it has a body)."""

    kind: str  # page | blogpost | footer | inline | attachment | task | custom | space
    data: JSON
    space_key: str = ""
    text: str = ""
    versions: list[JSON] = field(default_factory=list)
    bodies: dict[int, str] = field(default_factory=dict)  # version number -> storage then
    labels: list[str] = field(default_factory=list)  # label ids
    properties: dict[str, JSON] = field(default_factory=dict)  # property id -> property
    watchers: set[str] = field(default_factory=set)  # account ids (pages and blog posts)
    mentions: tuple[str, ...] = ()  # account ids @mentioned in the current body
    blob: bytes = b""
    _doc: SearchDoc | None = None
    # Ids never change: the numeric sort key is computed once (listings of thousands stay cheap).
    number: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        digits = str(self.data["id"]).removeprefix("att")
        self.number = int(digits) if digits.isdigit() else 0

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def storage(self) -> str | None:
        body = self.data.get("body") or {}
        storage = body.get("storage")
        return None if storage is None else str(storage["value"])

    @property
    def is_comment(self) -> bool:
        return self.kind in COMMENT_KINDS
