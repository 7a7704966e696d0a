"""open_database: a database that is not up yet is retried (logged, with backoff) until the wait
runs out; one that refuses us for good is not retried; both end in one StartupError line."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.startup import StartupError, open_database
from bot.store import Store
from tests.aiosqlite_threads import finish_worker_threads
from tests.confluence.conftest import FakeClock


async def test_a_refused_connection_is_retried_until_the_wait_runs_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = Store.from_url("postgresql://bot:pw-unit-0000000000@127.0.0.1:1/bot")
    clock = FakeClock()
    try:
        with pytest.raises(StartupError) as info:
            await open_database(store, wait_seconds=10, clock=clock.monotonic, sleep=clock.sleep)
    finally:
        await store.close()
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]  # backoff; the next wait would pass 10 s
    line = str(info.value)
    assert line.startswith("DATABASE_URL: postgresql+asyncpg://bot:***@127.0.0.1:1/bot")
    assert "did not answer for 10 s (ConnectionRefusedError)" in line
    assert "pw-unit-0000000000" not in line + caplog.text
    assert caplog.text.count("database not answering yet") == 4


async def test_a_database_that_cannot_be_opened_is_not_retried(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 'no-such-dir' / 'bot.db'}")
    clock = FakeClock()
    before = set(threading.enumerate())
    try:
        with pytest.raises(StartupError) as info:
            await open_database(store, wait_seconds=30, clock=clock.monotonic, sleep=clock.sleep)
    finally:
        await store.close()
        await finish_worker_threads(before)
    assert clock.sleeps == []
    assert "unable to open database file" in str(info.value)
    assert str(info.value).startswith("DATABASE_URL: cannot open sqlite+aiosqlite:///")


async def test_an_open_database_is_migrated(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        await open_database(store, wait_seconds=0)
        assert await store.ping()
    finally:
        await store.close()
