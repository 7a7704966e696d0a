"""Poll group watermarks (bot.polling's WatermarkStore): where each group got to.

Every write is an upsert that never moves a watermark backwards (`ON CONFLICT … DO UPDATE …
WHERE stored < new`), so replicas advancing the same group at once, or a slow round finishing
after a faster one, leave the latest watermark, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.polling import WatermarkAdvance
from bot.store._sql import insert, resolve_now
from bot.store.engine import read_transaction, write_transaction
from bot.store.schema import poll_watermarks as wm

__all__ = ["Watermarks", "write_watermark_advances"]


class Watermarks:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get_many(self, keys: Sequence[str]) -> dict[str, datetime]:
        if not keys:
            return {}
        statement = sa.select(wm.c.key, wm.c.watermark).where(wm.c.key.in_(sorted(set(keys))))
        async with read_transaction(self._engine) as conn:
            rows = await conn.execute(statement)
            return {row.key: row.watermark for row in rows}

    async def seed(self, key: str, at: datetime) -> None:
        """Start group `key` at `at` unless it already has a watermark."""
        at = resolve_now(at)
        async with write_transaction(self._engine) as conn:
            statement = (
                insert(conn, wm)
                .values(key=key, watermark=at, updated_at=resolve_now(None))
                .on_conflict_do_nothing(index_elements=[wm.c.key])
            )
            await conn.execute(statement)

    async def advance(self, advances: Sequence[WatermarkAdvance]) -> None:
        """Move watermarks forward (never back) in one transaction; absent keys are created."""
        if advances:
            async with write_transaction(self._engine) as conn:
                await write_watermark_advances(conn, advances)

    async def delete(self, keys: Sequence[str]) -> None:
        if keys:
            async with write_transaction(self._engine) as conn:
                await conn.execute(sa.delete(wm).where(wm.c.key.in_(sorted(set(keys)))))


async def write_watermark_advances(
    conn: AsyncConnection, advances: Sequence[WatermarkAdvance]
) -> None:
    """Upsert advances inside the caller's transaction (the deliveries' completions:
    bot.store.deliveries), one statement for all of them; a key's latest `to` counts."""
    latest: dict[str, datetime] = {}
    for advance in advances:
        to = resolve_now(advance.to)
        if advance.key not in latest or to > latest[advance.key]:
            latest[advance.key] = to
    if not latest:
        return
    now = resolve_now(None)
    statement = insert(conn, wm)
    statement = statement.on_conflict_do_update(
        index_elements=[wm.c.key],
        set_={
            "watermark": statement.excluded.watermark,
            "updated_at": statement.excluded.updated_at,
        },
        where=wm.c.watermark < statement.excluded.watermark,
    )
    rows = [{"key": key, "watermark": latest[key], "updated_at": now} for key in sorted(latest)]
    await conn.execute(statement, rows)
