"""Small helpers shared by the repositories."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

T = TypeVar("T")


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


# Rows per statement in bulk writes: far below SQLite's 32,766 and asyncpg's 32,767 bound
# parameters even for the widest rows, large enough that 1,000 deliveries take a few statements.
CHUNK = 500


def rows_table(
    name: str,
    columns: Sequence[tuple[str, sa.types.TypeEngine[Any]]],
    rows: Sequence[tuple[Any, ...]],
) -> sa.CTE:
    """Literal rows as a table for a statement to join (`WITH name(cols) AS (VALUES …)`).

    The CTE form, not `FROM (VALUES …) AS name(cols)`, because SQLite cannot name a VALUES
    subquery's columns; PostgreSQL takes both.
    """
    return sa.values(*(sa.column(c, t) for c, t in columns), name=name).data(list(rows)).cte(name)


def typed(
    conn: AsyncConnection, column: sa.ColumnElement[Any], type_: sa.types.TypeEngine[Any]
) -> sa.ColumnElement[Any]:
    """A column of a `rows_table` as `type_`. PostgreSQL types a VALUES column whose rows are
    all NULL as text, so it gets a cast there; on SQLite a CAST to a date type would turn the
    stored text into a number, so there it only tells SQLAlchemy the type."""
    if conn.dialect.name == "postgresql":
        return sa.cast(column, type_)
    return sa.type_coerce(column, type_)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
