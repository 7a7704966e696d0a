"""Alembic migration scripts; run them with `await Store.migrate()` (no alembic.ini needed)."""
