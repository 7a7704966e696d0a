"""Claims: who may deliver what, until when — values, and the store port that keeps them.

One claim per delivery key, across every process: the store makes claiming race-free (a fresh
row, or taking over one whose lease expired or whose retry is due). Claims are taken in bulk
(all that are due, in one transaction) and their ends (`Completion`) are recorded in batches,
with whatever the feature writes alongside them (`Followup`); see `courier` and `recorder`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

__all__ = [
    "Claim",
    "ClaimKey",
    "ClaimStore",
    "Completion",
    "DeliveryRecord",
    "DeliveryStatus",
    "Followup",
    "Receipt",
]

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


@dataclass(frozen=True, slots=True)
class Completion:
    """How a claimed delivery ended, to be recorded: delivered (`receipt` set), or given back
    after a failure (`error`) and claimable again from `retry_at`. `at` is when it ended."""

    claim: Claim
    at: datetime
    receipt: Receipt | None = None
    error: str | None = None
    retry_at: datetime | None = None

    @classmethod
    def delivered(cls, claim: Claim, receipt: Receipt, at: datetime) -> Completion:
        return cls(claim, at, receipt=receipt)

    @classmethod
    def failed(cls, claim: Claim, error: str, retry_at: datetime, at: datetime) -> Completion:
        return cls(claim, at, error=error, retry_at=retry_at)


class Followup(Protocol):
    """A feature's own write that goes with its deliveries' completions, in the same transaction
    (a digest subscription's window advance: ``bot.store.LastDelivered``). Each is a value the
    ClaimStore knows how to write in bulk; delivery only carries it."""


class ClaimStore(Protocol):
    """Where claims live (the database: ``bot.store.deliveries``)."""

    def new_owner(self) -> str:
        """A fresh holder name for this process (the store can later tell if it is gone)."""
        ...

    async def claim(
        self,
        keys: Sequence[ClaimKey],
        owner: str,
        lease_seconds: float,
        now: datetime,
        *,
        skip_backoff: bool = False,
    ) -> list[Claim]:
        """Claim whichever of `keys` are free, in one transaction: those never claimed, those
        whose lease ran out, and failed ones whose retry is due (any failed one with
        `skip_backoff`: a user asked). Delivered keys and keys another attempt holds are left
        out. Race-free across processes: each key is claimed by one caller."""
        ...

    async def complete(
        self, completions: Sequence[Completion], followups: Sequence[Followup] = ()
    ) -> list[Claim]:
        """Record completions and followups in one transaction; returns the claims that had been
        lost (their lease ran out and another attempt took them over), which stay as that
        attempt left them. Followups are written either way."""
        ...

    async def get(self, key: ClaimKey) -> DeliveryRecord | None: ...
