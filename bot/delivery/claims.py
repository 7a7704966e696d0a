"""Claims: who may deliver what, until when — values, and the store port that keeps them.

One claim per delivery key, across every process: the store makes claiming race-free (a fresh
row, or taking over one whose lease expired or whose retry is due). Claims are plain values, so
a batch of them is just a list; every outcome is recorded through `Courier` (see `courier`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

__all__ = ["Claim", "ClaimKey", "ClaimStore", "DeliveryRecord", "DeliveryStatus", "Receipt"]

DeliveryStatus = Literal["claimed", "delivered", "failed"]


@dataclass(frozen=True, slots=True, order=True)
class ClaimKey:
    """What one delivery is: delivered at most once, whatever the number of processes."""

    kind: str  # which feature delivers it, e.g. "digest"
    subject: str  # what it is delivered for, e.g. a subscription id
    item: str  # what is delivered, e.g. a digest period or an event

    @property
    def name(self) -> str:
        """How a message's metadata names this delivery (see `DeliveryMark`)."""
        return f"{self.subject}@{self.item}"


@dataclass(frozen=True, slots=True)
class Claim:
    """Proof that `owner` may deliver `key` until `lease_expires_at`."""

    key: ClaimKey
    owner: str
    lease_expires_at: datetime
    attempts: int  # failed attempts before this one
    # An earlier attempt existed (it failed, or its process died): it may have posted already.
    taken_over: bool


@dataclass(frozen=True, slots=True)
class Receipt:
    """Where a delivery went: the channel and the message's ts ("" when nothing was posted)."""

    channel_id: str
    ts: str


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    key: ClaimKey
    status: DeliveryStatus
    claimed_by: str | None
    lease_expires_at: datetime | None
    attempts: int
    next_attempt_at: datetime | None
    channel_id: str | None
    message_ts: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime


class ClaimStore(Protocol):
    """Where claims live (the database: ``bot.store.deliveries``)."""

    def new_owner(self) -> str:
        """A fresh holder name for this process (the store can later tell if it is gone)."""
        ...

    async def try_claim(
        self,
        key: ClaimKey,
        owner: str,
        lease_seconds: float,
        now: datetime | None = None,
        *,
        skip_backoff: bool = False,
    ) -> Claim | None:
        """The claim, or None when `key` is delivered or someone else holds it. A failed
        attempt is taken over once its retry is due (at once with `skip_backoff`)."""
        ...

    async def mark_delivered(
        self, claim: Claim, receipt: Receipt, now: datetime | None = None
    ) -> bool:
        """Record success; False if the claim was lost (its lease ran out and it was taken)."""
        ...

    async def release_failed(
        self, claim: Claim, error: str, next_attempt_at: datetime, now: datetime | None = None
    ) -> bool:
        """Give the claim back after a failure; claimable again from `next_attempt_at`."""
        ...

    async def get(self, key: ClaimKey) -> DeliveryRecord | None: ...
