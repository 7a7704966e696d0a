"""A database that went away is noticed: health says so, and writes fail instead of vanishing.

SQLite keeps writing into a file that was deleted (or replaced) under it: every write "succeeds"
and is gone at the next start. PostgreSQL answers or not, but must be the migrated database.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.store import DatabaseLost, Schedule, Store
from bot.store.engine import write_transaction
from tests.aiosqlite_threads import finish_worker_threads

from .conftest import NOW, Database

DAILY = Schedule("daily", 9, 0, "UTC")


async def _subscribe(store: Store, channel: str) -> None:
    await store.subscriptions.upsert(
        team_id="T1",
        channel_id=channel,
        space_key="ENG",
        space_id="100",
        schedule=DAILY,
        created_by="U1",
        now=NOW,
    )


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def test_healthy_store_says_so(store: Store) -> None:
    assert await store.health() is None


async def test_deleted_sqlite_file_is_unhealthy_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    store = Store.from_url(f"sqlite:///{path}")
    try:
        await store.migrate()
        await _subscribe(store, "C1")
        _remove(path)
        problem = await store.health()
        assert problem is not None and "deleted" in problem and str(path) in problem
        with pytest.raises(DatabaseLost, match="deleted"):
            await _subscribe(store, "C2")
        assert not path.exists() or await _count(path) == 0
    finally:
        await store.close()


async def test_replaced_sqlite_file_is_unhealthy_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    other = tmp_path / "other.db"
    store = Store.from_url(f"sqlite:///{path}")
    try:
        await store.migrate()
        await _subscribe(store, "C1")
        shutil.copy(path, other)
        os.replace(other, path)  # same contents, another file: not what we opened
        problem = await store.health()
        assert problem is not None and "replaced" in problem
        with pytest.raises(DatabaseLost, match="replaced"):
            await _subscribe(store, "C2")
    finally:
        await store.close()
    assert await _count(path) == 1  # the refused write went nowhere


async def _count(path: Path) -> int:
    store = Store.from_url(f"sqlite:///{path}")
    try:
        return len(await store.subscriptions.list_all())
    finally:
        await store.close()


async def test_database_without_our_schema_is_unhealthy(database: Database) -> None:
    # For PostgreSQL the check is a real round trip to our own tables, not `SELECT 1`.
    store = database.open()
    try:
        await store.migrate()
        assert await store.health() is None
        async with write_transaction(store.engine) as conn:
            await conn.execute(sa.text("DROP TABLE alembic_version"))
        problem = await store.health()
        assert problem is not None and "not migrated" in problem
    finally:
        await store.close()


async def test_unreachable_database_is_unhealthy(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path}/missing-dir/x.db")
    before = set(threading.enumerate())
    try:
        problem = await store.health()
        assert problem is not None and "unreachable" in problem
        await finish_worker_threads(before)
    finally:
        await store.close()
