"""One claim at a time, for tests about a single delivery (the store claims and completes in
bulk: bot.store.deliveries)."""

from __future__ import annotations

from datetime import datetime

from bot.delivery import Claim, ClaimKey, Completion, Receipt
from bot.store import Store


async def claim_one(
    store: Store,
    key: ClaimKey,
    owner: str,
    lease_seconds: float,
    now: datetime,
    *,
    skip_backoff: bool = False,
) -> Claim | None:
    """The claim on `key`, or None when it is delivered or held."""
    claims = await store.deliveries.claim(
        [key], owner, lease_seconds, now, skip_backoff=skip_backoff
    )
    assert len(claims) <= 1, claims
    return claims[0] if claims else None


async def delivered(store: Store, claim: Claim, receipt: Receipt, at: datetime) -> bool:
    """Record one delivery; False when its claim was lost."""
    return not await store.deliveries.complete([Completion.delivered(claim, receipt, at)])


async def failed(store: Store, claim: Claim, error: str, retry_at: datetime, at: datetime) -> bool:
    """Give one claim back after a failure; False when it was lost."""
    return not await store.deliveries.complete([Completion.failed(claim, error, retry_at, at)])
