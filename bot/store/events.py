"""Dedupe of Slack events and idempotency keys for user submissions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store._sql import changed, insert, resolve_now
from bot.store.engine import read_transaction, write_transaction
from bot.store.schema import idempotency_keys, processed_events


async def _claim_key(
    engine: AsyncEngine,
    key_column: sa.Column[str],
    key: str,
    expires_at: datetime,
    now: datetime,
    reset: Mapping[str, object],
) -> bool:
    # First claimer inserts; a later claimer may take over only a row whose time is up. Both steps
    # are single atomic statements, so racing claimers cannot both see success.
    table = key_column.table
    async with write_transaction(engine) as conn:
        fresh = insert(conn, table).values(
            {key_column.name: key, "expires_at": expires_at, **reset}
        )
        if await changed(conn, fresh.on_conflict_do_nothing(index_elements=[key_column])):
            return True
        takeover = (
            sa.update(table)
            .where(key_column == key, table.c.expires_at <= now)
            .values({"expires_at": expires_at, **reset})
        )
        return await changed(conn, takeover)


class EventDedupe:
    """Slack retries events (and Socket Mode hides the retry headers): handle each event_id once."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim(self, event_id: str, ttl_seconds: float, now: datetime | None = None) -> bool:
        """True only for the first caller for `event_id` (or the first after it expired)."""
        now = resolve_now(now)
        expires_at = now + timedelta(seconds=ttl_seconds)
        return await _claim_key(
            self._engine, processed_events.c.event_id, event_id, expires_at, now, reset={}
        )

    async def purge_expired(self, now: datetime | None = None) -> int:
        """Delete expired rows; returns how many."""
        statement = sa.delete(processed_events).where(
            processed_events.c.expires_at <= resolve_now(now)
        )
        async with write_transaction(self._engine) as conn:
            return (await conn.execute(statement)).rowcount


class IdempotencyKeys:
    """Exactly one effect per user submission (double clicks, Slack retries)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim_once(self, key: str, ttl_seconds: float, now: datetime | None = None) -> bool:
        """True only for the first caller for `key` within `ttl_seconds`."""
        now = resolve_now(now)
        expires_at = now + timedelta(seconds=ttl_seconds)
        reset = {"result": None, "created_at": now}
        return await _claim_key(
            self._engine, idempotency_keys.c.key, key, expires_at, now, reset=reset
        )

    async def release(self, key: str) -> bool:
        """Give a claimed key up before its time (a lock whose work is done)."""
        statement = sa.delete(idempotency_keys).where(idempotency_keys.c.key == key)
        async with write_transaction(self._engine) as conn:
            return await changed(conn, statement)

    async def remember_result(self, key: str, value: str) -> bool:
        """Store the outcome (e.g. the created page id) for a claimed key; False if not claimed."""
        statement = (
            sa.update(idempotency_keys).where(idempotency_keys.c.key == key).values(result=value)
        )
        async with write_transaction(self._engine) as conn:
            return await changed(conn, statement)

    async def get_result(self, key: str, now: datetime | None = None) -> str | None:
        """The remembered outcome of an unexpired key, or None (unknown key or still running)."""
        statement = sa.select(idempotency_keys.c.result).where(
            idempotency_keys.c.key == key, idempotency_keys.c.expires_at > resolve_now(now)
        )
        async with read_transaction(self._engine) as conn:
            return (await conn.execute(statement)).scalar_one_or_none()

    async def purge_expired(self, now: datetime | None = None) -> int:
        statement = sa.delete(idempotency_keys).where(
            idempotency_keys.c.expires_at <= resolve_now(now)
        )
        async with write_transaction(self._engine) as conn:
            return (await conn.execute(statement)).rowcount
