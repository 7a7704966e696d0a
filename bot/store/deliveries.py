"""Exactly-once delivery: one claim per `ClaimKey` across all processes (delivery's ClaimStore).

Both directions are bulk, one transaction and a few statements each, whatever the number of
deliveries (the rows travel as one parameter: see `rows`). A claim of many keys reads which
exist, inserts the new ones (`ON CONFLICT DO NOTHING`) and takes over the reclaimable ones (one
conditional `UPDATE`); both writes return the rows they won (`RETURNING`), so the caller gets
exactly its claims. A batch of completions is one `UPDATE … FROM` the batch's rows, matched on
key, owner and lease end, returning the rows it changed: the others were lost, exactly (a row
count would not say which, and asyncpg's executemany reports none).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.delivery import AnchorWrite, Claim, ClaimKey, Completion, DeliveryRecord, Followup
from bot.polling import WatermarkAdvance
from bot.store._sql import insert, resolve_now
from bot.store.anchors import write_anchors
from bot.store.engine import read_transaction, write_transaction
from bot.store.leases import new_owner
from bot.store.models import LastDelivered
from bot.store.rows import Rows
from bot.store.schema import UTCDateTime
from bot.store.schema import deliveries as dl
from bot.store.subscriptions import write_last_delivered
from bot.store.watermarks import write_watermark_advances

# Claimers queue on this PostgreSQL advisory lock for the length of a claim transaction, as they
# queue on SQLite's write lock: two replicas claiming overlapping batches then never deadlock on
# each other's rows, and each key still goes to one of them. Completions do not take it.
CLAIM_LOCK = 0x636C61696D  # "claim"

_KEY = (("kind", sa.String()), ("subject", sa.String()), ("item", sa.String()))
_WANTED = Rows("wanted", _KEY)
_DONE = Rows(
    "done",
    (
        *_KEY,
        ("owner", sa.String()),
        ("lease", UTCDateTime()),
        ("status", sa.String()),
        ("channel_id", sa.String()),
        ("message_ts", sa.String()),
        ("error", sa.Text()),
        ("retry_at", UTCDateTime()),
        ("failures", sa.Integer()),
        ("at", UTCDateTime()),
    ),
)

# How each kind of followup is written, in bulk, inside the completions' transaction.
_FOLLOWUPS: dict[type[Any], Callable[[AsyncConnection, Sequence[Any]], Awaitable[None]]] = {
    LastDelivered: write_last_delivered,
    WatermarkAdvance: write_watermark_advances,
    AnchorWrite: write_anchors,
}


def _record(row: RowMapping) -> DeliveryRecord:
    key = ClaimKey(row["kind"], row["subject"], row["item"])
    fields = {c.name: row[c.name] for c in dl.c if c.name not in ("kind", "subject", "item")}
    return DeliveryRecord(key=key, **fields)


def _key(row: Any) -> ClaimKey:
    return ClaimKey(row.kind, row.subject, row.item)


def _is(key: ClaimKey) -> tuple[sa.ColumnElement[bool], ...]:
    return (dl.c.kind == key.kind, dl.c.subject == key.subject, dl.c.item == key.item)


def _matches(rows: sa.FromClause) -> tuple[sa.ColumnElement[bool], ...]:
    return (dl.c.kind == rows.c.kind, dl.c.subject == rows.c.subject, dl.c.item == rows.c.item)


class Deliveries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def new_owner(self) -> str:
        """A holder name naming this process (see `leases`)."""
        return new_owner()

    async def claim(
        self,
        keys: Sequence[ClaimKey],
        owner: str,
        lease_seconds: float,
        now: datetime,
        *,
        skip_backoff: bool = False,
    ) -> list[Claim]:
        """Claim whichever of `keys` are free, in one transaction (see ClaimStore.claim)."""
        now = resolve_now(now)
        lease = now + timedelta(seconds=lease_seconds)
        wanted = sorted(set(keys))  # one order for every claimer
        if not wanted:
            return []
        async with write_transaction(self._engine) as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(CLAIM_LOCK)))
            claims = await _claim(conn, wanted, owner, lease, now, skip_backoff)
        return sorted(claims, key=lambda claim: claim.key)

    async def complete(
        self, completions: Sequence[Completion], followups: Sequence[Followup] = ()
    ) -> list[Claim]:
        """Record completions and followups in one transaction; returns the lost claims."""
        unknown = {type(f).__name__ for f in followups if type(f) not in _FOLLOWUPS}
        if unknown:
            raise TypeError(f"no way to write followups of type {', '.join(sorted(unknown))}")
        latest = {c.claim.key: c for c in completions}  # a key's last completion counts
        ordered = [latest[key] for key in sorted(latest)]
        if not ordered and not followups:
            return []
        async with write_transaction(self._engine) as conn:
            done = await _complete(conn, ordered) if ordered else set()
            for kind, write in _FOLLOWUPS.items():
                if mine := [f for f in followups if type(f) is kind]:
                    await write(conn, mine)
        return [c.claim for c in ordered if c.claim.key not in done]

    async def delete_subject(self, kinds: Sequence[str], subject: str) -> int:
        """Delete every claim of these kinds for `subject` (e.g. a user who disconnected)."""
        statement = sa.delete(dl).where(dl.c.kind.in_(list(kinds)), dl.c.subject == subject)
        async with write_transaction(self._engine) as conn:
            result = await conn.execute(statement)
        return int(result.rowcount or 0)

    async def get(self, key: ClaimKey) -> DeliveryRecord | None:
        async with read_transaction(self._engine) as conn:
            row = (await conn.execute(sa.select(dl).where(*_is(key)))).mappings().one_or_none()
        return None if row is None else _record(row)

    async def unfinished(self, keys: Sequence[ClaimKey]) -> list[DeliveryRecord]:
        """The records of those keys that exist and are not delivered (held by an attempt, or
        failed and waiting), in one read."""
        wanted = sorted(set(keys))
        if not wanted:
            return []
        async with read_transaction(self._engine) as conn:
            rows = _WANTED.table(conn.dialect)
            statement = sa.select(dl).where(*_matches(rows), dl.c.status != "delivered")
            params = _WANTED.params(conn.dialect, [(k.kind, k.subject, k.item) for k in wanted])
            found = (await conn.execute(statement, params)).mappings().all()
        return [_record(row) for row in found]


async def _claim(
    conn: AsyncConnection,
    keys: Sequence[ClaimKey],
    owner: str,
    lease: datetime,
    now: datetime,
    skip_backoff: bool,
) -> list[Claim]:
    """Insert the keys nobody holds yet, then take over the existing ones that may be taken."""
    dialect = conn.dialect
    wanted = _WANTED.table(dialect)
    found = sa.select(dl.c.kind, dl.c.subject, dl.c.item).where(*_matches(wanted))
    params = _WANTED.params(dialect, [(k.kind, k.subject, k.item) for k in keys])
    existing = {_key(row) for row in await conn.execute(found, params)}
    claims: list[Claim] = []
    if fresh := [k for k in keys if k not in existing]:
        claims += await _insert_fresh(conn, fresh, owner, lease, now)
    if existing:
        claims += await _take_over(conn, sorted(existing), owner, lease, now, skip_backoff)
    return claims


async def _insert_fresh(
    conn: AsyncConnection, fresh: Sequence[ClaimKey], owner: str, lease: datetime, now: datetime
) -> list[Claim]:
    dialect = conn.dialect
    new = _WANTED.table(dialect)
    statement = (
        insert(conn, dl)
        .from_select(
            [
                "kind",
                "subject",
                "item",
                "status",
                "claimed_by",
                "lease_expires_at",
                "attempts",
                "created_at",
                "updated_at",
            ],
            sa.select(
                new.c.kind,
                new.c.subject,
                new.c.item,
                sa.literal("claimed"),
                sa.literal(owner),
                sa.literal(lease, UTCDateTime()),
                sa.literal(0),
                sa.literal(now, UTCDateTime()),
                sa.literal(now, UTCDateTime()),
            ).where(sa.true()),  # SQLite reads `SELECT … ON CONFLICT` as a join without it
        )
        # Another process's insert of the same key (one not queueing on the claim lock,
        # e.g. an older version) wins; this claimer leaves that key alone.
        .on_conflict_do_nothing(index_elements=[dl.c.kind, dl.c.subject, dl.c.item])
        .returning(dl.c.kind, dl.c.subject, dl.c.item)
    )
    params = _WANTED.params(dialect, [(k.kind, k.subject, k.item) for k in fresh])
    return [
        Claim(_key(row), owner, lease, attempts=0, taken_over=False)
        for row in await conn.execute(statement, params)
    ]


async def _take_over(
    conn: AsyncConnection,
    existing: Sequence[ClaimKey],
    owner: str,
    lease: datetime,
    now: datetime,
    skip_backoff: bool,
) -> list[Claim]:
    dialect = conn.dialect
    held = _WANTED.table(dialect)
    due = sa.or_(dl.c.next_attempt_at.is_(None), dl.c.next_attempt_at <= now)
    reclaimable = sa.or_(
        sa.and_(dl.c.status == "claimed", dl.c.lease_expires_at <= now),
        sa.and_(dl.c.status == "failed", sa.true() if skip_backoff else due),
    )
    claimed = {
        "status": "claimed",
        "claimed_by": owner,
        "lease_expires_at": lease,
        "updated_at": now,
    }
    takeover = (
        sa.update(dl)
        .where(*_matches(held), reclaimable)
        .values(claimed)
        .returning(dl.c.kind, dl.c.subject, dl.c.item, dl.c.attempts)
    )
    params = _WANTED.params(dialect, [(k.kind, k.subject, k.item) for k in existing])
    return [
        Claim(_key(row), owner, lease, attempts=row.attempts, taken_over=True)
        for row in await conn.execute(takeover, params)
    ]


def _done_row(completion: Completion) -> tuple[Any, ...]:
    claim, receipt = completion.claim, completion.receipt
    return (
        claim.key.kind,
        claim.key.subject,
        claim.key.item,
        claim.owner,
        claim.lease_expires_at,
        "delivered" if receipt is not None else "failed",
        receipt.channel_id if receipt is not None else None,
        receipt.ts if receipt is not None else None,
        None if receipt is not None else completion.error,
        None if receipt is not None else resolve_now(completion.retry_at),
        0 if receipt is not None else 1,
        resolve_now(completion.at),
    )


async def _complete(conn: AsyncConnection, completions: Sequence[Completion]) -> set[ClaimKey]:
    """Record these completions; returns the keys recorded (the others' claims were lost)."""
    done = _DONE.table(conn.dialect)
    statement = (
        sa.update(dl)
        .where(
            *_matches(done),
            # The lease end identifies this particular claim, so an owner that re-claimed after
            # its own lease expired cannot complete with the stale claim.
            dl.c.status == "claimed",
            dl.c.claimed_by == done.c.owner,
            dl.c.lease_expires_at == done.c.lease,
        )
        .values(
            status=done.c.status,
            channel_id=sa.func.coalesce(done.c.channel_id, dl.c.channel_id),
            message_ts=sa.func.coalesce(done.c.message_ts, dl.c.message_ts),
            error=done.c.error,
            attempts=dl.c.attempts + done.c.failures,
            lease_expires_at=None,
            next_attempt_at=done.c.retry_at,
            updated_at=done.c.at,
        )
        .returning(dl.c.kind, dl.c.subject, dl.c.item)
    )
    params = _DONE.params(conn.dialect, [_done_row(c) for c in completions])
    return {_key(row) for row in await conn.execute(statement, params)}
