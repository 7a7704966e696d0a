"""The crash window: Slack message metadata naming the deliveries a message carries.

A process can die after Slack accepted a message and before the database recorded it; its
claim's lease then runs out and another process takes over. Every delivered message therefore
carries a mark, and a taken-over claim first looks for its mark in the channel's history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.delivery.claims import ClaimKey

__all__ = ["DeliveryMark"]


@dataclass(frozen=True, slots=True)
class DeliveryMark:
    event_type: str  # Slack's metadata event type, one per feature, e.g. "confluence_digest"
    claims: tuple[str, ...]  # ClaimKey.name of each delivery the message carries

    @classmethod
    def of(cls, event_type: str, keys: Iterable[ClaimKey]) -> DeliveryMark:
        return cls(event_type, tuple(key.name for key in keys))

    def metadata(self) -> dict[str, Any]:
        """Slack's `metadata` argument for the message."""
        return {"event_type": self.event_type, "event_payload": {"claims": list(self.claims)}}

    def found_in(self, metadata: object) -> bool:
        """Whether a message's metadata shows it carries any of these deliveries."""
        if not isinstance(metadata, dict) or metadata.get("event_type") != self.event_type:
            return False
        payload = metadata.get("event_payload")
        posted = payload.get("claims") if isinstance(payload, dict) else None
        return isinstance(posted, list) and bool(set(self.claims) & {str(c) for c in posted})
