"""Settings and fixtures for the whole suite."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.databases import ddl, migrate, postgresql_url, run_apart

# Property tests run Hypothesis' default 100 examples each (failures found are replayed from
# .hypothesis/ until fixed); `pytest --hypothesis-profile=thorough` searches ten times as far.
settings.register_profile("thorough", max_examples=1000)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest revision, migrated once per test process: copy it."""
    path = tmp_path_factory.mktemp("migrated") / "bot.db"
    run_apart(migrate(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def migrated_schema() -> Iterator[str]:
    """A PostgreSQL schema at the newest revision, migrated once per test process (dropped at
    the end); whoever uses it leaves it empty for the next test."""
    url = postgresql_url()
    schema = f"test_{uuid.uuid4().hex[:16]}"
    run_apart(ddl(url, f'CREATE SCHEMA "{schema}"'))
    try:
        run_apart(migrate(url, schema))
        yield schema
    finally:
        run_apart(ddl(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
