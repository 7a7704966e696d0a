"""Digest subscriptions: which space is summarised into which channel, and when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store._sql import changed, insert, resolve_now
from bot.store.engine import read_transaction, write_transaction
from bot.store.models import (
    DIGEST_DELIVERY_KIND,
    LastDelivered,
    Schedule,
    Subscription,
    UpsertResult,
)
from bot.store.rows import Rows
from bot.store.schema import UTCDateTime, deliveries
from bot.store.schema import digest_subscriptions as subs


def _subscription(row: RowMapping) -> Subscription:
    return Subscription(
        id=row["id"],
        team_id=row["team_id"],
        channel_id=row["channel_id"],
        space_key=row["space_key"],
        space_id=row["space_id"],
        schedule=Schedule(
            kind=row["schedule"],
            hour=row["hour"],
            minute=row["minute"],
            tz=row["tz"],
            weekday=row["weekday"],
        ),
        created_by=row["created_by"],
        connection_id=row["connection_id"],
        paused=row["paused"],
        paused_reason=row["paused_reason"],
        last_delivered_at=row["last_delivered_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _schedule_columns(schedule: Schedule) -> dict[str, Any]:
    return {
        "schedule": schedule.kind,
        "weekday": schedule.weekday,
        "hour": schedule.hour,
        "minute": schedule.minute,
        "tz": schedule.tz,
    }


class Subscriptions:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def upsert(
        self,
        *,
        team_id: str,
        channel_id: str,
        space_key: str,
        space_id: str,
        schedule: Schedule,
        created_by: str,
        connection_id: str | None = None,
        now: datetime | None = None,
    ) -> UpsertResult:
        """Subscribe a channel to a space, or reschedule the existing subscription.

        Re-subscribing also resumes a paused subscription and makes `created_by` (with their
        `connection_id`) its owner; `created_at`, `id` and `last_delivered_at` are kept.
        """
        now = resolve_now(now)
        key = (
            subs.c.team_id == team_id,
            subs.c.channel_id == channel_id,
            subs.c.space_key == space_key,
        )
        changes: dict[str, Any] = {
            **_schedule_columns(schedule),
            "space_id": space_id,
            "created_by": created_by,
            "connection_id": connection_id,
            "paused": False,
            "paused_reason": None,
            "updated_at": now,
        }
        async with write_transaction(self._engine) as conn:
            fresh = (
                insert(conn, subs)
                .values(
                    team_id=team_id,
                    channel_id=channel_id,
                    space_key=space_key,
                    created_at=now,
                    **changes,
                )
                .on_conflict_do_nothing(
                    index_elements=[subs.c.team_id, subs.c.channel_id, subs.c.space_key]
                )
            )
            created = await changed(conn, fresh)
            if not created:
                await conn.execute(sa.update(subs).where(*key).values(changes))
            row = (await conn.execute(sa.select(subs).where(*key))).mappings().one()
        return UpsertResult(subscription=_subscription(row), created=created)

    async def get(self, subscription_id: int) -> Subscription | None:
        rows = await self._select(subs.c.id == subscription_id)
        return rows[0] if rows else None

    async def list_by_channel(self, team_id: str, channel_id: str) -> list[Subscription]:
        return await self._select(subs.c.team_id == team_id, subs.c.channel_id == channel_id)

    async def list_by_creator(self, team_id: str, created_by: str) -> list[Subscription]:
        return await self._select(subs.c.team_id == team_id, subs.c.created_by == created_by)

    async def list_active(self) -> list[Subscription]:
        """All subscriptions that are not paused, across workspaces."""
        return await self._select(subs.c.paused.is_(False))

    async def list_all(self) -> list[Subscription]:
        return await self._select()

    async def delete(self, subscription_id: int) -> bool:
        return await self._delete(subs.c.id == subscription_id) > 0

    async def delete_channel(self, team_id: str, channel_id: str) -> int:
        """Unsubscribe a channel from everything; returns how many subscriptions were removed."""
        return await self._delete(subs.c.team_id == team_id, subs.c.channel_id == channel_id)

    async def pause(self, subscription_id: int, reason: str, now: datetime | None = None) -> bool:
        return await self._update(subscription_id, now, paused=True, paused_reason=reason)

    async def resume(self, subscription_id: int, now: datetime | None = None) -> bool:
        return await self._update(subscription_id, now, paused=False, paused_reason=None)

    async def _update(self, subscription_id: int, now: datetime | None, **values: Any) -> bool:
        statement = (
            sa.update(subs)
            .where(subs.c.id == subscription_id)
            .values(updated_at=resolve_now(now), **values)
        )
        async with write_transaction(self._engine) as conn:
            return await changed(conn, statement)

    async def _select(self, *where: sa.ColumnElement[bool]) -> list[Subscription]:
        statement = sa.select(subs).where(*where).order_by(subs.c.id)
        async with read_transaction(self._engine) as conn:
            rows = (await conn.execute(statement)).mappings().all()
        return [_subscription(row) for row in rows]

    async def _delete(self, *where: sa.ColumnElement[bool]) -> int:
        """Delete subscriptions and, in the same transaction, their deliveries (a later
        subscription may get a freed id: it must not inherit delivered periods)."""
        ids = sa.select(sa.cast(subs.c.id, sa.String)).where(*where)
        own_deliveries = sa.delete(deliveries).where(
            deliveries.c.kind == DIGEST_DELIVERY_KIND, deliveries.c.subject.in_(ids)
        )
        async with write_transaction(self._engine) as conn:
            await conn.execute(own_deliveries)
            return (await conn.execute(sa.delete(subs).where(*where))).rowcount


_ADVANCED = Rows(
    "advanced", (("id", sa.Integer()), ("window_end", UTCDateTime()), ("at", UTCDateTime()))
)


async def write_last_delivered(conn: AsyncConnection, advances: Sequence[LastDelivered]) -> None:
    """Move many subscriptions' windows forward in one statement, inside the caller's
    transaction (the deliveries' completions: bot.store.deliveries)."""
    latest = {a.subscription_id: a for a in advances}  # a subscription's last advance counts
    rows = _ADVANCED.table(conn.dialect)
    statement = (
        sa.update(subs)
        .where(subs.c.id == rows.c.id)
        .values(last_delivered_at=rows.c.window_end, updated_at=rows.c.at)
    )
    params = _ADVANCED.params(
        conn.dialect, [(a.subscription_id, a.window_end, a.at) for a in latest.values()]
    )
    await conn.execute(statement, params)
