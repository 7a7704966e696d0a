"""Messages a feature keeps coming back to: the channel message later activity replies under,
a message updated in place while a merge window is open, the DM being merged into.

An `Anchor` is found by its `AnchorKey` (kind, subject, topic) and written with `AnchorWrite`, a
delivery `Followup`: upserted in the same transaction as the completions of the delivery that
posted or updated the message (``Courier.send(..., then=[AnchorWrite(anchor)])``). The store
implements `AnchorStore` (``bot.store.anchors``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

__all__ = ["Anchor", "AnchorKey", "AnchorStore", "AnchorWrite"]


@dataclass(frozen=True, slots=True, order=True)
class AnchorKey:
    """E.g. ("notify-thread", "<subscription id>", "page:123"): the message to reply under;
    ("notify-merge", "<subscription id>", "page:123:<account>"): a message updated in place;
    ("personal-dm", "<team>:<user>", "feed"): the DM being merged into."""

    kind: str
    subject: str
    topic: str


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where the message is (`channel_id`, `ts`), when it was first posted and last changed,
    the delivery names (`ClaimKey.name`s) it carries — what its `DeliveryMark` names when it is
    updated — and a little JSON the feature keeps (versions merged, items listed)."""

    key: AnchorKey
    channel_id: str
    ts: str
    opened_at: datetime
    updated_at: datetime
    names: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AnchorWrite:
    """Upsert `anchor` (a delivery Followup, written with the completions)."""

    anchor: Anchor


class AnchorStore(Protocol):
    async def get_many(self, keys: Sequence[AnchorKey]) -> dict[AnchorKey, Anchor]:
        """The anchors of those keys that have one."""
        ...

    async def put(self, anchors: Sequence[Anchor]) -> None:
        """Upsert anchors on their own (outside a delivery's completions)."""
        ...

    async def delete_subject(self, kind: str, subject: str) -> None:
        """Forget every anchor of a subject (a subscription removed, a user disconnected)."""
        ...

    async def delete_before(self, kind: str, before: datetime) -> int:
        """Housekeeping: forget anchors of `kind` last updated before `before`; how many."""
        ...
