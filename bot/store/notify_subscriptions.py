"""Channel notification subscriptions: which channel hears about which space's activity, and how
filtered (bot.notify owns the port this fits: `NotifySubscriptionStore`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store._sql import insert, resolve_now
from bot.store.engine import read_transaction, write_transaction
from bot.store.models import (
    NOTIFY_DELIVERY_KIND,
    NOTIFY_KINDS,
    EditsFilter,
    NewNotifySubscription,
    NotifyFilters,
    NotifyKind,
    NotifySubscription,
)
from bot.store.schema import deliveries, delivery_anchors
from bot.store.schema import notify_subscriptions as subs

__all__ = ["NotifySubscriptions"]


def _kinds(stored: str) -> frozenset[NotifyKind]:
    return frozenset(cast(NotifyKind, kind) for kind in stored.split(",") if kind)


def _subscription(row: RowMapping) -> NotifySubscription:
    return NotifySubscription(
        id=row["id"],
        team_id=row["team_id"],
        channel_id=row["channel_id"],
        space_key=row["space_key"],
        space_id=row["space_id"],
        created_by=row["created_by"],
        filters=NotifyFilters(
            kinds=_kinds(row["kinds"]),
            label=row["label"],
            under_page_id=row["under_page_id"],
            edits=cast(EditsFilter, row["edits"]),
        ),
        paused_reason=row["paused_reason"],
        created_at=row["created_at"],
        under_title=row["under_title"],
    )


def _columns(new: NewNotifySubscription, now: datetime) -> dict[str, Any]:
    """What subscribing (again) sets: everything but the key, the id and created_at."""
    filters = new.filters
    return {
        "space_id": new.space_id,
        "kinds": ",".join(kind for kind in NOTIFY_KINDS if kind in filters.kinds),
        "label": filters.label,
        "under_page_id": filters.under_page_id,
        "under_title": new.under_title,
        "edits": filters.edits,
        "created_by": new.created_by,
        "paused_reason": None,
        "updated_at": now,
    }


class NotifySubscriptions:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(
        self, rows: Sequence[NewNotifySubscription], *, now: datetime | None = None
    ) -> list[NotifySubscription]:
        """Subscribe channels to spaces, all rows in one transaction (all saved or none). An
        existing (team, channel, space) subscription is replaced: new filters and owner,
        unpaused; its id and created_at stay (threads and claims keyed on it stay valid)."""
        now = resolve_now(now)
        latest = {(r.team_id, r.channel_id, r.space_key): r for r in rows}  # the last one counts
        saved: list[NotifySubscription] = []
        async with write_transaction(self._engine) as conn:
            for (team_id, channel_id, space_key), new in latest.items():
                changes = _columns(new, now)
                statement = (
                    insert(conn, subs)
                    .values(
                        team_id=team_id,
                        channel_id=channel_id,
                        space_key=space_key,
                        created_at=now,
                        **changes,
                    )
                    .on_conflict_do_update(
                        index_elements=[subs.c.team_id, subs.c.channel_id, subs.c.space_key],
                        set_=changes,
                    )
                    .returning(*subs.c)
                )
                row = (await conn.execute(statement)).mappings().one()
                saved.append(_subscription(row))
        return saved

    async def get(self, subscription_id: int) -> NotifySubscription | None:
        found = await self._select(subs.c.id == subscription_id)
        return found[0] if found else None

    async def in_channel(self, team_id: str, channel_id: str) -> list[NotifySubscription]:
        return await self._select(subs.c.team_id == team_id, subs.c.channel_id == channel_id)

    async def by_user(self, team_id: str, user_id: str) -> list[NotifySubscription]:
        return await self._select(subs.c.team_id == team_id, subs.c.created_by == user_id)

    async def active(self) -> list[NotifySubscription]:
        """Every subscription that is not paused, across workspaces (the poller's input)."""
        return await self._select(subs.c.paused_reason.is_(None))

    async def remove(
        self, team_id: str, channel_id: str, space_key: str | None
    ) -> list[NotifySubscription]:
        """Unsubscribe a channel from one space (None: from every space); returns what went."""
        where = [subs.c.team_id == team_id, subs.c.channel_id == channel_id]
        if space_key is not None:
            where.append(subs.c.space_key == space_key)
        return await self._delete(*where)

    async def forget_user(self, team_id: str, user_id: str) -> int:
        """Remove every subscription `user_id` owns (they disconnected); returns how many."""
        return len(await self._delete(subs.c.team_id == team_id, subs.c.created_by == user_id))

    async def set_paused(
        self, ids: Sequence[int], reason: str | None, *, now: datetime | None = None
    ) -> None:
        """Pause these subscriptions with `reason` (None: resume them), in one statement."""
        if not ids:
            return
        statement = (
            sa.update(subs)
            .where(subs.c.id.in_(list(ids)))
            .values(paused_reason=reason, updated_at=resolve_now(now))
        )
        async with write_transaction(self._engine) as conn:
            await conn.execute(statement)

    async def _select(self, *where: sa.ColumnElement[bool]) -> list[NotifySubscription]:
        statement = sa.select(subs).where(*where).order_by(subs.c.id)
        async with read_transaction(self._engine) as conn:
            rows = (await conn.execute(statement)).mappings().all()
        return [_subscription(row) for row in rows]

    async def _delete(self, *where: sa.ColumnElement[bool]) -> list[NotifySubscription]:
        """Delete subscriptions and, in the same transaction, their delivery claims and the
        messages their notifications come back to (anchors of a "notify…" kind)."""
        async with write_transaction(self._engine) as conn:
            statement = sa.delete(subs).where(*where).returning(*subs.c)
            gone = [_subscription(row) for row in (await conn.execute(statement)).mappings()]
            await _delete_deliveries(conn, [str(sub.id) for sub in gone])
        return sorted(gone, key=lambda sub: sub.id)


async def _delete_deliveries(conn: AsyncConnection, subjects: Sequence[str]) -> None:
    if not subjects:
        return
    await conn.execute(
        sa.delete(deliveries).where(
            deliveries.c.kind == NOTIFY_DELIVERY_KIND, deliveries.c.subject.in_(subjects)
        )
    )
    await conn.execute(
        sa.delete(delivery_anchors).where(
            delivery_anchors.c.kind.like(f"{NOTIFY_DELIVERY_KIND}%"),
            delivery_anchors.c.subject.in_(subjects),
        )
    )
