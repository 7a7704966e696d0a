from __future__ import annotations

import asyncio
import threading

import pytest
import sqlalchemy as sa

from bot.store import Schedule, Store
from bot.store.engine import write_transaction
from bot.store.migrate import current_revision, head_revision, schema_differences
from bot.store.schema import metadata, processed_events
from tests.aiosqlite_threads import finish_worker_threads

from .conftest import NOW, Database


async def _tables(store: Store) -> set[str]:
    async with store.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names()))


async def test_migrate_creates_every_table_at_head(database: Database) -> None:
    store = database.open()
    try:
        assert await current_revision(store.engine) is None
        await store.migrate()
        assert await current_revision(store.engine) == head_revision() is not None
        assert await _tables(store) == set(metadata.tables) | {"alembic_version"}
    finally:
        await store.close()


async def test_schema_after_migrate_matches_the_metadata(store: Store) -> None:
    assert await schema_differences(store.engine) == []


async def test_metadata_differs_from_an_empty_database(database: Database) -> None:
    # Guards the test above: the comparison does detect missing tables.
    store = database.open()
    try:
        differences = await schema_differences(store.engine)
    finally:
        await store.close()
    assert {diff[1].name for diff in differences if diff[0] == "add_table"} == set(metadata.tables)


async def test_migrating_again_is_a_no_op_and_keeps_data(store: Store) -> None:
    created = await store.subscriptions.upsert(
        team_id="T1",
        channel_id="C1",
        space_key="ENG",
        space_id="100",
        schedule=Schedule("daily", 9, 30, "Europe/Berlin"),
        created_by="U1",
        now=NOW,
    )
    await store.migrate()
    await store.migrate()
    assert await store.subscriptions.get(created.subscription.id) == created.subscription
    assert await schema_differences(store.engine) == []


async def test_second_store_migrating_the_same_database_changes_nothing(
    store: Store, database: Database
) -> None:
    await store.events.claim("Ev1", 60, now=NOW)
    other = database.open()
    try:
        await other.migrate()
        assert not await other.events.claim("Ev1", 60, now=NOW)
    finally:
        await other.close()


async def test_ping(store: Store) -> None:
    assert await store.ping()


async def test_ping_is_false_when_the_database_is_unreachable() -> None:
    unreachable = Store.from_url("postgresql://bot:hunter2@127.0.0.1:1/bot")
    missing_dir = Store.from_url("sqlite:////nonexistent-dir/for/sure/bot.db")
    before = set(threading.enumerate())
    try:
        assert not await unreachable.ping()
        assert not await missing_dir.ping()
        await finish_worker_threads(before)
    finally:
        await unreachable.close()
        await missing_dir.close()


async def test_sqlite_uses_wal_and_a_busy_timeout(store: Store) -> None:
    if store.dialect != "sqlite":
        pytest.skip("SQLite pragmas")
    async with store.engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar_one() >= 1000
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1


async def test_sqlite_writer_waits_for_another_writer_instead_of_failing(
    store: Store, database: Database
) -> None:
    if store.dialect != "sqlite":
        pytest.skip("SQLite locking")
    other = database.open()
    try:
        async with write_transaction(store.engine) as conn:
            await conn.execute(sa.insert(processed_events).values(event_id="held", expires_at=NOW))
            # The other store must queue on the busy timeout until this transaction commits.
            waiting = asyncio.create_task(other.events.claim("Ev1", 60, now=NOW))
            await asyncio.sleep(0.1)
            assert not waiting.done()
        assert await waiting
    finally:
        await other.close()
