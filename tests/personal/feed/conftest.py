"""Feed service tests run on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set."""

from tests.store.conftest import Database, database, store

__all__ = ["Database", "database", "store"]
