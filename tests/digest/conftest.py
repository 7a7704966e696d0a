"""Digest service tests run on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set."""

from tests.store.conftest import (
    Database,
    _migrated_schema,
    _migrated_sqlite,
    database,
    store,
)

__all__ = ["Database", "_migrated_schema", "_migrated_sqlite", "database", "store"]
