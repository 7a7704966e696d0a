"""Exactly-once delivery: one claim per `ClaimKey` across all processes (delivery's ClaimStore)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery import Claim, ClaimKey, DeliveryRecord, Receipt
from bot.store._sql import changed, insert, resolve_now
from bot.store.engine import read_transaction, write_transaction
from bot.store.leases import new_owner
from bot.store.schema import deliveries as dl


def _record(row: RowMapping) -> DeliveryRecord:
    key = ClaimKey(row["kind"], row["subject"], row["item"])
    fields = {c.name: row[c.name] for c in dl.c if c.name not in ("kind", "subject", "item")}
    return DeliveryRecord(key=key, **fields)


def _is(key: ClaimKey) -> tuple[sa.ColumnElement[bool], ...]:
    return (dl.c.kind == key.kind, dl.c.subject == key.subject, dl.c.item == key.item)


def _owned_by(claim: Claim) -> sa.ColumnElement[bool]:
    # The lease end identifies this particular claim, so an owner that re-claimed after its own
    # lease expired cannot complete with the stale claim.
    return sa.and_(
        *_is(claim.key),
        dl.c.status == "claimed",
        dl.c.claimed_by == claim.owner,
        dl.c.lease_expires_at == claim.lease_expires_at,
    )


class Deliveries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def new_owner(self) -> str:
        """A holder name naming this process (see `leases`)."""
        return new_owner()

    async def try_claim(
        self,
        key: ClaimKey,
        owner: str,
        lease_seconds: float,
        now: datetime | None = None,
        *,
        skip_backoff: bool = False,
    ) -> Claim | None:
        """Claim one delivery, or None if it is delivered or someone else holds it.

        Succeeds when nothing was recorded yet, when a previous claim's lease has expired, or when
        a failed attempt is due for a retry (with `skip_backoff`, any failed attempt: a user asked
        for it). Race-free: each step is one atomic statement whose row count tells whether this
        caller won.
        """
        now = resolve_now(now)
        lease_expires_at = now + timedelta(seconds=lease_seconds)
        claimed = {
            "status": "claimed",
            "claimed_by": owner,
            "lease_expires_at": lease_expires_at,
            "updated_at": now,
        }
        reclaimable = sa.or_(
            sa.and_(dl.c.status == "claimed", dl.c.lease_expires_at <= now),
            sa.and_(
                dl.c.status == "failed",
                sa.true()
                if skip_backoff
                else sa.or_(dl.c.next_attempt_at.is_(None), dl.c.next_attempt_at <= now),
            ),
        )
        async with write_transaction(self._engine) as conn:
            fresh = (
                insert(conn, dl)
                .values(
                    kind=key.kind,
                    subject=key.subject,
                    item=key.item,
                    attempts=0,
                    created_at=now,
                    **claimed,
                )
                .on_conflict_do_nothing(index_elements=[dl.c.kind, dl.c.subject, dl.c.item])
            )
            if await changed(conn, fresh):
                return Claim(key, owner, lease_expires_at, attempts=0, taken_over=False)
            takeover = (
                sa.update(dl).where(*_is(key), reclaimable).values(claimed).returning(dl.c.attempts)
            )
            attempts = (await conn.execute(takeover)).scalar_one_or_none()
        if attempts is None:
            return None
        return Claim(key, owner, lease_expires_at, attempts=attempts, taken_over=True)

    async def mark_delivered(
        self, claim: Claim, receipt: Receipt, now: datetime | None = None
    ) -> bool:
        """Record success; False if the claim was lost (lease expired and someone took over)."""
        statement = (
            sa.update(dl)
            .where(_owned_by(claim))
            .values(
                status="delivered",
                channel_id=receipt.channel_id,
                message_ts=receipt.ts,
                error=None,
                lease_expires_at=None,
                next_attempt_at=None,
                updated_at=resolve_now(now),
            )
        )
        async with write_transaction(self._engine) as conn:
            return await changed(conn, statement)

    async def release_failed(
        self, claim: Claim, error: str, next_attempt_at: datetime, now: datetime | None = None
    ) -> bool:
        """Give the claim back after a failure; it may be claimed again from `next_attempt_at`."""
        statement = (
            sa.update(dl)
            .where(_owned_by(claim))
            .values(
                status="failed",
                error=error,
                attempts=dl.c.attempts + 1,
                lease_expires_at=None,
                next_attempt_at=resolve_now(next_attempt_at),
                updated_at=resolve_now(now),
            )
        )
        async with write_transaction(self._engine) as conn:
            return await changed(conn, statement)

    async def get(self, key: ClaimKey) -> DeliveryRecord | None:
        async with read_transaction(self._engine) as conn:
            row = (await conn.execute(sa.select(dl).where(*_is(key)))).mappings().one_or_none()
        return None if row is None else _record(row)
