"""Per-user Confluence identities (a Maton connection for each Slack user)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store._sql import changed, insert, resolve_now
from bot.store.engine import read_transaction, write_transaction
from bot.store.models import ConnectionStatus, UserConnection
from bot.store.schema import user_connections as uc


def _user_connection(row: RowMapping) -> UserConnection:
    return UserConnection(**{column.name: row[column.name] for column in uc.c})


def _key(team_id: str, slack_user_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(uc.c.team_id == team_id, uc.c.slack_user_id == slack_user_id)


class UserConnections:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, team_id: str, slack_user_id: str) -> UserConnection | None:
        async with read_transaction(self._engine) as conn:
            result = await conn.execute(sa.select(uc).where(_key(team_id, slack_user_id)))
            row = result.mappings().one_or_none()
        return None if row is None else _user_connection(row)

    async def of_users(self, team_id: str, slack_user_ids: Collection[str]) -> list[UserConnection]:
        """The connections of these users in one workspace, in one read."""
        users = sorted(set(slack_user_ids))
        if not users:
            return []
        statement = sa.select(uc).where(uc.c.team_id == team_id, uc.c.slack_user_id.in_(users))
        async with read_transaction(self._engine) as conn:
            rows = (await conn.execute(statement)).mappings().all()
        return [_user_connection(row) for row in rows]

    async def of_accounts(self, team_id: str, account_ids: Collection[str]) -> list[UserConnection]:
        """The active links of these Atlassian accounts in one workspace (who to mention)."""
        accounts = sorted(set(account_ids))
        if not accounts:
            return []
        statement = sa.select(uc).where(
            uc.c.team_id == team_id,
            uc.c.atlassian_account_id.in_(accounts),
            uc.c.status == "active",
        )
        async with read_transaction(self._engine) as conn:
            rows = (await conn.execute(statement)).mappings().all()
        return [_user_connection(row) for row in rows]

    async def put(
        self,
        *,
        team_id: str,
        slack_user_id: str,
        connection_id: str,
        status: ConnectionStatus,
        atlassian_account_id: str | None = None,
        atlassian_name: str | None = None,
        atlassian_email: str | None = None,
        now: datetime | None = None,
    ) -> UserConnection:
        """Insert or replace the user's connection (`created_at` of an existing row is kept)."""
        if status not in ("pending", "active", "stale"):
            raise ValueError(f"unknown connection status {status!r}")
        now = resolve_now(now)
        changes: dict[str, Any] = {
            "connection_id": connection_id,
            "status": status,
            "atlassian_account_id": atlassian_account_id,
            "atlassian_name": atlassian_name,
            "atlassian_email": atlassian_email,
            "updated_at": now,
        }
        async with write_transaction(self._engine) as conn:
            statement = (
                insert(conn, uc)
                .values(team_id=team_id, slack_user_id=slack_user_id, created_at=now, **changes)
                .on_conflict_do_update(
                    index_elements=[uc.c.team_id, uc.c.slack_user_id], set_=changes
                )
                .returning(*uc.c)
            )
            row = (await conn.execute(statement)).mappings().one()
        return _user_connection(row)

    async def delete(self, team_id: str, slack_user_id: str) -> bool:
        async with write_transaction(self._engine) as conn:
            return await changed(conn, sa.delete(uc).where(_key(team_id, slack_user_id)))

    async def mark_stale(
        self,
        team_id: str,
        slack_user_id: str,
        *,
        connection_id: str | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Flag the connection as needing a reconnect.

        With `connection_id`, only if the user still has that connection (a failure seen on an old
        connection must not mark a freshly made one stale).
        """
        where = [_key(team_id, slack_user_id)]
        if connection_id is not None:
            where.append(uc.c.connection_id == connection_id)
        statement = sa.update(uc).where(*where).values(status="stale", updated_at=resolve_now(now))
        async with write_transaction(self._engine) as conn:
            return await changed(conn, statement)
