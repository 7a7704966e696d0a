"""Databases for tests: the PostgreSQL server TEST_DATABASE_URL names (tests skip without it),
DDL on it, and migrating a database to the newest revision."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store import Store, normalize_url


def postgresql_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(
            "PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1/test)"
        )
    return url


async def ddl(url: str, statement: str) -> None:
    admin = create_async_engine(normalize_url(url))
    try:
        async with admin.begin() as conn:
            await conn.execute(sa.text(statement))
    finally:
        await admin.dispose()


async def migrate(url: str, schema: str | None = None) -> None:
    store = Store.from_url(url, schema=schema)
    try:
        await store.migrate()
    finally:
        await store.close()


def run_apart(work: Coroutine[Any, Any, None]) -> None:
    """Run `work` on its own event loop in its own thread: session fixtures are first set up
    from inside a test's (running) loop, and their engines must not outlive their loop."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work).result()
