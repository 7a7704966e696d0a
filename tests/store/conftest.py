"""`store` runs every test on SQLite (a temp file) and on PostgreSQL when TEST_DATABASE_URL is set.

Each PostgreSQL test gets its own schema (dropped afterwards), so runs are repeatable and may
share one server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store import Store, normalize_url

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
    if request.param == "sqlite":
        yield Database(f"sqlite:///{tmp_path / 'bot.db'}")
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(
            "PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1/test)"
        )
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_async_engine(normalize_url(url))
    try:
        async with admin.begin() as conn:
            await conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        yield Database(url, schema)
    finally:
        async with admin.begin() as conn:
            await conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
async def store(database: Database) -> AsyncIterator[Store]:
    opened = database.open()
    await opened.migrate()
    try:
        yield opened
    finally:
        await opened.close()
