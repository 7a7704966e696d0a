"""Delivery anchors (bot.delivery's AnchorStore): messages a feature comes back to.

Writes are upserts keyed on (kind, subject, topic); a write whose `updated_at` is older than the
stored one is ignored (`ON CONFLICT … DO UPDATE … WHERE stored <= new`), so two replicas
updating one anchor leave the later state, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.delivery import Anchor, AnchorKey, AnchorWrite
from bot.store._sql import insert, resolve_now
from bot.store.engine import read_transaction, write_transaction
from bot.store.schema import delivery_anchors as an

__all__ = ["Anchors", "write_anchors"]

_VALUES = ("channel_id", "ts", "opened_at", "updated_at", "names", "data")


def _anchor(row: Row[Any]) -> Anchor:
    return Anchor(
        key=AnchorKey(row.kind, row.subject, row.topic),
        channel_id=row.channel_id,
        ts=row.ts,
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        names=tuple(row.names),
        data=dict(row.data),
    )


class Anchors:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get_many(self, keys: Sequence[AnchorKey]) -> dict[AnchorKey, Anchor]:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        key = sa.tuple_(an.c.kind, an.c.subject, an.c.topic)
        statement = sa.select(an).where(key.in_([(k.kind, k.subject, k.topic) for k in wanted]))
        async with read_transaction(self._engine) as conn:
            rows = await conn.execute(statement)
            found = [_anchor(row) for row in rows]
        return {anchor.key: anchor for anchor in found}

    async def put(self, anchors: Sequence[Anchor]) -> None:
        """Upsert anchors on their own (outside a delivery's completions)."""
        if anchors:
            async with write_transaction(self._engine) as conn:
                await write_anchors(conn, [AnchorWrite(anchor) for anchor in anchors])

    async def delete_subject(self, kind: str, subject: str) -> None:
        async with write_transaction(self._engine) as conn:
            await conn.execute(sa.delete(an).where(an.c.kind == kind, an.c.subject == subject))

    async def delete_before(self, kind: str, before: datetime) -> int:
        before = resolve_now(before)
        async with write_transaction(self._engine) as conn:
            result = await conn.execute(
                sa.delete(an).where(an.c.kind == kind, an.c.updated_at < before)
            )
            return int(result.rowcount)


async def write_anchors(conn: AsyncConnection, writes: Sequence[AnchorWrite]) -> None:
    """Upsert anchors inside the caller's transaction (the deliveries' completions:
    bot.store.deliveries), one statement for all; of one key's writes the latest counts."""
    latest: dict[AnchorKey, Anchor] = {}
    for write in writes:
        anchor = write.anchor
        kept = latest.get(anchor.key)
        if kept is None or resolve_now(anchor.updated_at) >= resolve_now(kept.updated_at):
            latest[anchor.key] = anchor
    if not latest:
        return
    statement = insert(conn, an)
    statement = statement.on_conflict_do_update(
        index_elements=[an.c.kind, an.c.subject, an.c.topic],
        set_={name: statement.excluded[name] for name in _VALUES},
        where=an.c.updated_at <= statement.excluded.updated_at,
    )
    rows = [
        {
            "kind": key.kind,
            "subject": key.subject,
            "topic": key.topic,
            "channel_id": anchor.channel_id,
            "ts": anchor.ts,
            "opened_at": resolve_now(anchor.opened_at),
            "updated_at": resolve_now(anchor.updated_at),
            "names": list(anchor.names),
            "data": dict(anchor.data),
        }
        for key, anchor in sorted(latest.items())
    ]
    await conn.execute(statement, rows)
