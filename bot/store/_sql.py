"""Small helpers shared by the repositories."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def resolve_now(now: datetime | None) -> datetime:
    """`now` as aware UTC; the real clock only when the caller did not inject one."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"naive datetime {now!r}: pass an aware datetime (UTC)")
    return now.astimezone(UTC)


def insert(conn: AsyncConnection, table: sa.Table) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that supports ON CONFLICT on the connection's dialect."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported dialect {conn.dialect.name!r}")


async def changed(conn: AsyncConnection, statement: sa.Executable) -> bool:
    """Execute a write and tell whether it touched a row."""
    result = await conn.execute(statement)
    return result.rowcount > 0
