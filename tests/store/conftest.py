"""`store` runs every test on SQLite (a temp file) and on PostgreSQL when TEST_DATABASE_URL is set.

A test that asks for `database` alone gets an empty database: its own SQLite file, or its own
PostgreSQL schema (dropped afterwards), so runs are repeatable and may share one server. A test
that asks for `store` gets one already migrated, without paying for the migration each time: a
copy of a SQLite file migrated once per test process, or the PostgreSQL schema migrated once per
test process, emptied after each test (tests in one process run one at a time). The store still
runs `migrate()` on it, as every start does.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store import Store, normalize_url
from bot.store.schema import metadata

NOW = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)  # a Monday


@dataclass(frozen=True)
class Database:
    """Where a test's data lives; `open()` gives an independent Store (own engine and pool)."""

    url: str
    schema: str | None = None

    def open(self) -> Store:
        return Store.from_url(self.url, schema=self.schema)


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest revision, to copy."""
    path = tmp_path_factory.mktemp("migrated") / "bot.db"
    _run_apart(_migrate(f"sqlite:///{path}", None))
    return path


@pytest.fixture(scope="session")
def _migrated_schema() -> Iterator[str]:
    """A PostgreSQL schema at the newest revision, for the tests that use `store`."""
    url = _postgresql_url()
    schema = f"test_{uuid.uuid4().hex[:16]}"
    _run_apart(_ddl(url, f'CREATE SCHEMA "{schema}"'))
    try:
        _run_apart(_migrate(url, schema))
        yield schema
    finally:
        _run_apart(_ddl(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    migrated = "store" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "bot.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("_migrated_sqlite"), path)
        yield Database(f"sqlite:///{path}")
        return
    url = _postgresql_url()
    if migrated:
        schema = request.getfixturevalue("_migrated_schema")
        try:
            yield Database(url, schema)
        finally:
            tables = ", ".join(f'"{schema}"."{table}"' for table in metadata.tables)
            await _ddl(url, f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        return
    schema = f"test_{uuid.uuid4().hex[:16]}"
    await _ddl(url, f'CREATE SCHEMA "{schema}"')
    try:
        yield Database(url, schema)
    finally:
        await _ddl(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
async def store(database: Database) -> AsyncIterator[Store]:
    opened = database.open()
    await opened.migrate()
    try:
        yield opened
    finally:
        await opened.close()


def _run_apart(work: Coroutine[Any, Any, None]) -> None:
    """Run `work` on its own event loop in its own thread: session fixtures are first set up
    from inside a test's (running) loop, and their engines must not outlive that loop."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work).result()


def _postgresql_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(
            "PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1/test)"
        )
    return url


async def _ddl(url: str, statement: str) -> None:
    admin = create_async_engine(normalize_url(url))
    try:
        async with admin.begin() as conn:
            await conn.execute(sa.text(statement))
    finally:
        await admin.dispose()


async def _migrate(url: str, schema: str | None) -> None:
    store = Store.from_url(url, schema=schema)
    try:
        await store.migrate()
    finally:
        await store.close()
