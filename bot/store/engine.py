"""Async engine construction and the two kinds of transaction the repositories use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.store.durability import SqliteFile, watch

SQLITE_BUSY_TIMEOUT_SECONDS = 30.0
_BEGIN_MODE = "sqlite_begin"


def build_engine(url: str, *, schema: str | None = None) -> AsyncEngine:
    """Create (without connecting) an engine for an already normalised async URL.

    `schema` puts PostgreSQL tables in that schema (via search_path); it must already exist.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if schema is not None:
            raise ValueError("schema is only supported for PostgreSQL")
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        path = parsed.database
        in_memory = not path or path == ":memory:" or path.startswith("file::memory:")
        _configure_sqlite(engine, None if in_memory else watch(engine.sync_engine, path or ""))
        return engine
    connect_args: dict[str, Any] = {}
    if schema is not None:
        connect_args["server_settings"] = {"search_path": schema}
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _configure_sqlite(engine: AsyncEngine, watched: SqliteFile | None) -> None:
    # The driver's implicit BEGIN is DEFERRED; a transaction that read first and then writes can
    # fail with SQLITE_BUSY without waiting. We issue BEGIN ourselves so writers can ask for
    # IMMEDIATE, which queues on the busy timeout instead (SQLAlchemy's documented pysqlite recipe).
    # Write transactions also check that the file is still the one first opened (durability.py).
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()
        if watched is not None:
            watched.remember()

    def _writing(conn: Connection) -> bool:
        return bool(conn.get_execution_options().get(_BEGIN_MODE) == "IMMEDIATE")

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if watched is not None and _writing(conn):
            watched.check()
        mode = conn.get_execution_options().get(_BEGIN_MODE, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    @event.listens_for(engine.sync_engine, "commit")
    def _on_commit(conn: Connection) -> None:
        if watched is not None and _writing(conn):
            watched.check()  # raising here rolls the write back


@asynccontextmanager
async def write_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A transaction that will write: on SQLite it takes the write lock up front."""
    async with engine.connect() as conn:
        await conn.execution_options(**{_BEGIN_MODE: "IMMEDIATE"})
        async with conn.begin():
            yield conn


@asynccontextmanager
async def read_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn, conn.begin():
        yield conn
