"""`store` runs every test on SQLite (a temp file) and on PostgreSQL when TEST_DATABASE_URL is set.

A test that asks for `database` alone gets an empty database: its own SQLite file, or its own
PostgreSQL schema (dropped afterwards), so runs are repeatable and may share one server. A test
that asks for `store` gets one already migrated, without paying for the migration each time: a
copy of a SQLite file migrated once per test process, or the PostgreSQL schema migrated once per
test process, emptied after each test (tests in one process run one at a time). The store still
runs `migrate()` on it, as every start does.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.schema import metadata
from tests.databases import ddl, postgresql_url

NOW = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)  # a Monday


@dataclass(frozen=True)
class Database:
    """Where a test's data lives; `open()` gives an independent Store (own engine and pool)."""

    url: str
    schema: str | None = None

    def open(self) -> Store:
        return Store.from_url(self.url, schema=self.schema)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    migrated = "store" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "bot.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        yield Database(f"sqlite:///{path}")
        return
    url = postgresql_url()
    if migrated:
        schema = request.getfixturevalue("migrated_schema")
        try:
            yield Database(url, schema)
        finally:
            tables = ", ".join(f'"{schema}"."{table}"' for table in metadata.tables)
            await ddl(url, f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        return
    schema = f"test_{uuid.uuid4().hex[:16]}"
    await ddl(url, f'CREATE SCHEMA "{schema}"')
    try:
        yield Database(url, schema)
    finally:
        await ddl(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
async def store(database: Database) -> AsyncIterator[Store]:
    opened = database.open()
    await opened.migrate()
    try:
        yield opened
    finally:
        await opened.close()
