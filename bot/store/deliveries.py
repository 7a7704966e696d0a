"""Exactly-once digest delivery: one claim per (subscription, period) across all processes."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store._sql import changed, insert, resolve_now
from bot.store.engine import read_transaction, write_transaction
from bot.store.models import Claim, Delivery
from bot.store.schema import digest_deliveries as dd


def _delivery(row: RowMapping) -> Delivery:
    return Delivery(**{column.name: row[column.name] for column in dd.c})


def _owned_by(claim: Claim) -> sa.ColumnElement[bool]:
    # The lease end identifies this particular claim, so an owner that re-claimed after its own
    # lease expired cannot complete with the stale claim.
    return sa.and_(
        dd.c.subscription_id == claim.subscription_id,
        dd.c.period_key == claim.period_key,
        dd.c.status == "claimed",
        dd.c.claimed_by == claim.owner,
        dd.c.lease_expires_at == claim.lease_expires_at,
    )


class Deliveries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def try_claim(
        self,
        subscription_id: int,
        period_key: str,
        owner: str,
        lease_seconds: float,
        now: datetime | None = None,
        *,
        skip_backoff: bool = False,
    ) -> Claim | None:
        """Claim the delivery of one period, or None if it is delivered or someone else holds it.

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
            sa.and_(dd.c.status == "claimed", dd.c.lease_expires_at <= now),
            sa.and_(
                dd.c.status == "failed",
                sa.true()
                if skip_backoff
                else sa.or_(dd.c.next_attempt_at.is_(None), dd.c.next_attempt_at <= now),
            ),
        )
        key = (dd.c.subscription_id == subscription_id, dd.c.period_key == period_key)
        async with write_transaction(self._engine) as conn:
            fresh = (
                insert(conn, dd)
                .values(
                    subscription_id=subscription_id,
                    period_key=period_key,
                    attempts=0,
                    created_at=now,
                    **claimed,
                )
                .on_conflict_do_nothing(index_elements=[dd.c.subscription_id, dd.c.period_key])
            )
            if await changed(conn, fresh):
                attempts = 0
            else:
                takeover = (
                    sa.update(dd).where(*key, reclaimable).values(claimed).returning(dd.c.attempts)
                )
                found = (await conn.execute(takeover)).scalar_one_or_none()
                if found is None:
                    return None
                attempts = found
        return Claim(subscription_id, period_key, owner, lease_expires_at, attempts)

    async def mark_delivered(
        self, claim: Claim, slack_ts: str, now: datetime | None = None
    ) -> bool:
        """Record success; False if the claim was lost (lease expired and someone took over)."""
        statement = (
            sa.update(dd)
            .where(_owned_by(claim))
            .values(
                status="delivered",
                slack_ts=slack_ts,
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
            sa.update(dd)
            .where(_owned_by(claim))
            .values(
                status="failed",
                error=error,
                attempts=dd.c.attempts + 1,
                lease_expires_at=None,
                next_attempt_at=resolve_now(next_attempt_at),
                updated_at=resolve_now(now),
            )
        )
        async with write_transaction(self._engine) as conn:
            return await changed(conn, statement)

    async def get(self, subscription_id: int, period_key: str) -> Delivery | None:
        statement = sa.select(dd).where(
            dd.c.subscription_id == subscription_id, dd.c.period_key == period_key
        )
        async with read_transaction(self._engine) as conn:
            row = (await conn.execute(statement)).mappings().one_or_none()
        return None if row is None else _delivery(row)
