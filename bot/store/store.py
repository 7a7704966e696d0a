"""The `Store` facade: one engine, the repositories, migrations and a health probe."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store import migrate as _migrate
from bot.store.anchors import Anchors
from bot.store.connections import UserConnections
from bot.store.deliveries import Deliveries
from bot.store.durability import sqlite_file
from bot.store.engine import build_engine, read_transaction
from bot.store.events import EventDedupe, IdempotencyKeys
from bot.store.notify_subscriptions import NotifySubscriptions
from bot.store.personal import PersonalPreferences
from bot.store.saves import ThreadSaves
from bot.store.subscriptions import Subscriptions
from bot.store.threads import ThreadPages
from bot.store.urls import normalize_url, redact_url
from bot.store.watermarks import Watermarks

logger = logging.getLogger(__name__)
PING_TIMEOUT_SECONDS = 5.0


class Store:
    """Persistence for the bot. Construct with `Store.from_url`; nothing connects until used."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.events = EventDedupe(engine)
        self.idempotency = IdempotencyKeys(engine)
        self.threads = ThreadPages(engine)
        self.saves = ThreadSaves(engine)
        self.subscriptions = Subscriptions(engine)
        self.deliveries = Deliveries(engine)
        self.connections = UserConnections(engine)
        self.preferences = PersonalPreferences(engine)
        self.notify = NotifySubscriptions(engine)
        self.watermarks = Watermarks(engine)  # bot.polling.WatermarkStore
        self.anchors = Anchors(engine)  # bot.delivery.AnchorStore

    @classmethod
    def from_url(cls, url: str | None, *, schema: str | None = None) -> Store:
        """`url` as in DATABASE_URL (None -> SQLite file in the working directory).

        `schema` selects a PostgreSQL schema (which must exist) for all tables.
        """
        return cls(build_engine(normalize_url(url), schema=schema))

    @property
    def dialect(self) -> str:
        """The SQLAlchemy dialect name: sqlite or postgresql."""
        return self.engine.dialect.name

    @property
    def safe_url(self) -> str:
        """The database URL without its password, for logs."""
        return redact_url(self.engine.url.render_as_string(hide_password=False))

    async def migrate(self) -> None:
        """Create or upgrade the schema to the newest revision (safe to call on every start)."""
        logger.info("migrating database %s", self.safe_url)
        await _migrate.upgrade(self.engine)

    async def ping(self) -> bool:
        """True if the database answers `SELECT 1` within a few seconds (for GET /healthz)."""
        try:
            async with asyncio.timeout(PING_TIMEOUT_SECONDS), read_transaction(self.engine) as conn:
                await conn.execute(sa.text("SELECT 1"))
        except Exception as exc:  # any failure means "unhealthy"; the caller only needs a bool
            logger.warning("database %s is unreachable: %s", self.safe_url, type(exc).__name__)
            return False
        return True

    async def health(self) -> str | None:
        """None when the configured database answers from our own tables (a real round trip, on
        PostgreSQL too) and, for SQLite, the file is still the one opened at start; otherwise
        what is wrong, in a few words (for GET /healthz; also logged)."""
        problem = await self._health_problem()
        if problem is not None:
            logger.warning("database %s is unhealthy: %s", self.safe_url, problem)
        return problem

    async def _health_problem(self) -> str | None:
        watched = sqlite_file(self.engine.sync_engine)
        try:
            async with asyncio.timeout(PING_TIMEOUT_SECONDS), read_transaction(self.engine) as conn:
                await conn.execute(sa.text("SELECT 1"))
                try:
                    version = (
                        await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
                    ).scalar_one_or_none()
                except sa.exc.DBAPIError:
                    version = None
        except Exception as exc:  # any failure to answer means "unreachable"
            return f"unreachable ({type(exc).__name__})"
        if watched is not None and (lost := watched.problem()) is not None:
            return lost
        return None if version else "not migrated (no schema version: a different database?)"

    async def close(self) -> None:
        await self.engine.dispose()

    # Shortcuts under the names used in the design notes.
    async def claim_event(
        self, event_id: str, ttl_seconds: float, now: datetime | None = None
    ) -> bool:
        return await self.events.claim(event_id, ttl_seconds, now)

    async def purge_expired_events(self, now: datetime | None = None) -> int:
        return await self.events.purge_expired(now)

    async def claim_once(self, key: str, ttl_seconds: float, now: datetime | None = None) -> bool:
        return await self.idempotency.claim_once(key, ttl_seconds, now)

    async def release(self, key: str) -> bool:
        return await self.idempotency.release(key)

    async def remember_result(self, key: str, value: str) -> bool:
        return await self.idempotency.remember_result(key, value)

    async def get_result(self, key: str, now: datetime | None = None) -> str | None:
        return await self.idempotency.get_result(key, now)
