"""Saves of Slack threads in progress: one at a time per thread, and recoverable.

A save holds a short lease on its thread, renewed while it works, so a save whose process died
frees the thread within a minute (at once when the holder was a process on this machine that no
longer exists, see `leases`). Before the page is created the row records the title and space,
and right after it the page id: a save that resumes the thread (the same user's retry, or the
scheduler's sweep of interrupted saves) can then adopt that page instead of leaving it orphaned
or creating a second one. A finished save deletes its row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store._sql import changed, insert, resolve_now
from bot.store.engine import read_transaction, write_transaction
from bot.store.leases import holder_is_gone
from bot.store.models import SaveClaim, ThreadSave
from bot.store.schema import thread_saves as ts

ThreadKey = tuple[str, str, str]  # team, channel, thread_ts


def _save(row: RowMapping) -> ThreadSave:
    return ThreadSave(**{column.name: row[column.name] for column in ts.c})


def _key(key: ThreadKey) -> sa.ColumnElement[bool]:
    team_id, channel_id, thread_ts = key
    return sa.and_(
        ts.c.team_id == team_id, ts.c.channel_id == channel_id, ts.c.thread_ts == thread_ts
    )


def _mine(key: ThreadKey, owner: str) -> sa.ColumnElement[bool]:
    return sa.and_(_key(key), ts.c.owner == owner, ts.c.status == "running")


async def _insert_new(
    conn: AsyncConnection, key: ThreadKey, lease: dict[str, Any], now: datetime
) -> bool:
    """A leased row for a thread that has none; False when it has one."""
    team_id, channel_id, thread_ts = key
    statement = (
        insert(conn, ts)
        .values(
            team_id=team_id,
            channel_id=channel_id,
            thread_ts=thread_ts,
            resumes=0,
            created_at=now,
            **lease,
        )
        .on_conflict_do_nothing(index_elements=[ts.c.team_id, ts.c.channel_id, ts.c.thread_ts])
    )
    return await changed(conn, statement)


async def _take_over(
    conn: AsyncConnection,
    key: ThreadKey,
    left: ThreadSave,
    lease: dict[str, Any],
    *,
    resuming: bool,
) -> bool:
    """The lease on the row as it was read (`left`); False when it changed since (lost a race)."""
    statement = (
        sa.update(ts)
        .where(
            _key(key),
            ts.c.owner == left.owner,
            ts.c.status == left.status,
            ts.c.lease_expires_at == left.lease_expires_at,
        )
        .values(resumes=left.resumes + 1 if resuming else 0, **lease)
    )
    return await changed(conn, statement)


class ThreadSaves:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim(
        self,
        key: ThreadKey,
        *,
        owner: str,
        request: str,
        user_id: str,
        lease_seconds: float,
        resuming: bool = False,
        now: datetime | None = None,
        gone: Callable[[str], bool] = holder_is_gone,
    ) -> SaveClaim | None:
        """The thread's save lease for `owner`, or None while another live save holds it.

        A failed save's row, an expired lease, or a lease of a process that is gone is taken
        over; the row as it was is returned as `left`. Race-free: the takeover is one
        conditional UPDATE on the row as it was read.
        """
        now = resolve_now(now)
        lease = {
            "status": "running",
            "owner": owner,
            "lease_expires_at": now + timedelta(seconds=lease_seconds),
            "request": request,
            "user_id": user_id,
            "updated_at": now,
        }
        async with write_transaction(self._engine) as conn:
            if await _insert_new(conn, key, lease, now):
                return SaveClaim(owner, None)
            row = (await conn.execute(sa.select(ts).where(_key(key)))).mappings().one_or_none()
            if row is None:
                return None  # finished between our two statements: try again later
            left = _save(row)
            held = left.status == "running" and left.lease_expires_at > now
            if held and not gone(left.owner):
                return None
            taken = await _take_over(conn, key, left, lease, resuming=resuming)
            return SaveClaim(owner, left) if taken else None

    async def renew(
        self, key: ThreadKey, owner: str, lease_seconds: float, now: datetime | None = None
    ) -> bool:
        """Extend the lease; False if it was lost (taken over)."""
        now = resolve_now(now)
        statement = (
            sa.update(ts)
            .where(_mine(key, owner))
            .values(lease_expires_at=now + timedelta(seconds=lease_seconds), updated_at=now)
        )
        async with write_transaction(self._engine) as conn:
            return await changed(conn, statement)

    async def creating(
        self, key: ThreadKey, owner: str, title: str, space_id: str, now: datetime | None = None
    ) -> bool:
        """Record, before asking Confluence, that a page of this title is about to be created."""
        now = resolve_now(now)
        statement = (
            sa.update(ts)
            .where(_mine(key, owner))
            .values(
                create_title=title,
                create_space_id=space_id,
                creating_at=now,
                page_id=None,
                updated_at=now,
            )
        )
        async with write_transaction(self._engine) as conn:
            return await changed(conn, statement)

    async def created(
        self, key: ThreadKey, owner: str, page_id: str, now: datetime | None = None
    ) -> bool:
        """Record the page this save created or adopted."""
        statement = (
            sa.update(ts)
            .where(_mine(key, owner))
            .values(page_id=page_id, updated_at=resolve_now(now))
        )
        async with write_transaction(self._engine) as conn:
            return await changed(conn, statement)

    async def finish(self, key: ThreadKey, owner: str) -> bool:
        """The save is done (the thread -> page mapping is stored): drop the row."""
        async with write_transaction(self._engine) as conn:
            return await changed(conn, sa.delete(ts).where(_mine(key, owner)))

    async def fail(self, key: ThreadKey, owner: str, now: datetime | None = None) -> None:
        """The save failed and its user was told. The thread is free at once; the row stays
        (as "failed") only if a page may have been created, for the next save to adopt."""
        now = resolve_now(now)
        nothing_created = sa.and_(ts.c.creating_at.is_(None), ts.c.page_id.is_(None))
        async with write_transaction(self._engine) as conn:
            await conn.execute(sa.delete(ts).where(_mine(key, owner), nothing_created))
            await conn.execute(
                sa.update(ts)
                .where(_mine(key, owner))
                .values(status="failed", lease_expires_at=now, updated_at=now)
            )

    async def stalled(
        self, now: datetime | None = None, gone: Callable[[str], bool] = holder_is_gone
    ) -> list[ThreadSave]:
        """Running saves whose holder is gone or whose lease ran out: to resume."""
        now = resolve_now(now)
        statement = sa.select(ts).where(ts.c.status == "running").order_by(ts.c.created_at)
        async with read_transaction(self._engine) as conn:
            rows = [_save(r) for r in (await conn.execute(statement)).mappings()]
        return [r for r in rows if r.lease_expires_at <= now or gone(r.owner)]

    async def get(self, key: ThreadKey) -> ThreadSave | None:
        async with read_transaction(self._engine) as conn:
            row = (await conn.execute(sa.select(ts).where(_key(key)))).mappings().one_or_none()
        return None if row is None else _save(row)
