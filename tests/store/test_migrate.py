from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.delivery import ClaimKey
from bot.store import Schedule, Store
from bot.store.engine import read_transaction, write_transaction
from bot.store.migrate import current_revision, head_revision, schema_differences, upgrade
from bot.store.schema import metadata, processed_events
from tests.aiosqlite_threads import finish_worker_threads

from .claims import claim_one
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


async def _downgrade(store: Store, revision: str) -> None:
    from alembic import command

    from bot.store.migrate import alembic_config

    async with write_transaction(store.engine) as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


async def test_digest_deliveries_move_to_the_generic_table_and_back(database: Database) -> None:
    """0003 keeps every digest delivery (claims in flight, failures with their backoff, delivered
    periods) and files it under kind "digest"; going back restores the old table."""
    store = database.open()
    try:
        await upgrade(store.engine, "0002")
        created = await store.subscriptions.upsert(
            team_id="T1",
            channel_id="C1",
            space_key="ENG",
            space_id="100",
            schedule=Schedule("daily", 9, 0, "UTC"),
            created_by="U1",
            now=NOW,
        )
        sub_id = created.subscription.id
        later = NOW + timedelta(minutes=5)
        old = sa.table(
            "digest_deliveries",
            *(
                sa.column(name)
                for name in [
                    "subscription_id",
                    "period_key",
                    "status",
                    "claimed_by",
                    "lease_expires_at",
                    "attempts",
                    "next_attempt_at",
                    "slack_ts",
                    "error",
                    "created_at",
                    "updated_at",
                ]
            ),
        )
        rows = [
            ("daily:2024-05-06", "delivered", None, None, 0, None, "1714986000.000100", None),
            ("daily:2024-05-07", "failed", None, None, 2, later, None, "slack: fatal_error"),
            ("daily:2024-05-08", "claimed", "host:1:ab", later, 0, None, None, None),
        ]
        async with write_transaction(store.engine) as conn:
            for period, status, by, lease, attempts, retry_at, ts, error in rows:
                await conn.execute(
                    sa.insert(old).values(
                        subscription_id=sub_id,
                        period_key=period,
                        status=status,
                        claimed_by=by,
                        lease_expires_at=_stored(store, lease),
                        attempts=attempts,
                        next_attempt_at=_stored(store, retry_at),
                        slack_ts=ts,
                        error=error,
                        created_at=_stored(store, NOW),
                        updated_at=_stored(store, NOW),
                    )
                )

        await store.migrate()
        assert await schema_differences(store.engine) == []
        key = ClaimKey("digest", str(sub_id), "")
        delivered = await store.deliveries.get(_item(key, "daily:2024-05-06"))
        failed = await store.deliveries.get(_item(key, "daily:2024-05-07"))
        claimed = await store.deliveries.get(_item(key, "daily:2024-05-08"))
        assert delivered is not None and failed is not None and claimed is not None
        assert (delivered.status, delivered.channel_id, delivered.message_ts) == (
            "delivered",
            "C1",
            "1714986000.000100",
        )
        assert (failed.status, failed.attempts, failed.next_attempt_at, failed.error) == (
            "failed",
            2,
            later,
            "slack: fatal_error",
        )
        assert (claimed.status, claimed.claimed_by, claimed.lease_expires_at) == (
            "claimed",
            "host:1:ab",
            later,
        )
        # The moved claims still work: delivered stays delivered; the failed one retries on time.
        assert await claim_one(store, delivered.key, "p", 60, later) is None
        assert await claim_one(store, failed.key, "p", 60, NOW) is None
        retried = await claim_one(store, failed.key, "p", 60, later)
        assert retried is not None and retried.attempts == 2 and retried.taken_over

        await _downgrade(store, "0002")
        async with read_transaction(store.engine) as conn:
            back = (await conn.execute(sa.select(old.c.period_key, old.c.status))).all()
        assert sorted(back) == [
            ("daily:2024-05-06", "delivered"),
            ("daily:2024-05-07", "claimed"),
            ("daily:2024-05-08", "claimed"),
        ]
    finally:
        await store.close()


def _stored(store: Store, moment: datetime | None) -> datetime | None:
    """A datetime as the old table held it (naive UTC on SQLite; aware on PostgreSQL)."""
    if moment is None or store.dialect != "sqlite":
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _item(key: ClaimKey, item: str) -> ClaimKey:
    return ClaimKey(key.kind, key.subject, item)
