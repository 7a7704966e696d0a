"""Starting the bot: what stops a start, said in one line, and waiting for the database.

Every start failure a user can cause is a StartupError whose text names the setting, says what is
wrong with it and what to do; the CLI prints it and exits 2 (never a traceback).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports this module before it knows it needs a database
    from bot.store import Store

log = logging.getLogger("bot.startup")


class StartupError(Exception):
    """The bot cannot start (or must stop) because of `setting`; `str(exc)` is the whole line."""

    def __init__(self, setting: str, problem: str, fix: str) -> None:
        self.setting = setting
        super().__init__(f"{setting}: {problem}; {fix}")


# Connection failures worth waiting out at start: the server is not up (yet), or not reachable.
_TRANSIENT_DRIVER_ERRORS = frozenset(
    {"CannotConnectNowError", "TooManyConnectionsError", "ConnectionDoesNotExistError"}
)


async def open_database(
    store: Store,
    *,
    wait_seconds: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Migrate the schema, retrying (logged, with backoff) while the database does not answer,
    for at most `wait_seconds`. A database that refuses us for good (no such database, wrong
    password, unopenable file) is not retried."""
    deadline = clock() + wait_seconds
    attempt = 0
    while True:
        attempt += 1
        try:
            await store.migrate()
            return
        except Exception as exc:
            root = _root_cause(exc)
            if not _is_database_error(root):
                raise  # a bug, not the database: keep the traceback
            reason = type(root).__name__
            if not _transient(root):
                detail = " ".join(str(root).split())[:200]
                raise StartupError(
                    "DATABASE_URL",
                    f"cannot open {store.safe_url}: {detail} ({reason})",
                    "check the host, database name, user and password (or the SQLite file's "
                    "directory)",
                ) from None
            delay = min(0.5 * 2 ** (attempt - 1), 5.0)
            if clock() + delay > deadline:
                raise StartupError(
                    "DATABASE_URL",
                    f"{store.safe_url} did not answer for {wait_seconds:g} s ({reason})",
                    "start the database server or fix the host and port; "
                    "DATABASE_WAIT_SECONDS sets how long a start waits for it",
                ) from None
            log.warning(
                "database not answering yet url=%s reason=%s attempt=%d retry_in=%.1fs",
                store.safe_url,
                reason,
                attempt,
                delay,
            )
            await sleep(delay)


def _root_cause(exc: BaseException) -> BaseException:
    """The driver's own error under SQLAlchemy's wrappers."""
    seen = {id(exc)}
    while True:
        inner = getattr(exc, "orig", None) or exc.__cause__
        if not isinstance(inner, BaseException) or id(inner) in seen:
            return exc
        seen.add(id(inner))
        exc = inner


def _is_database_error(exc: BaseException) -> bool:
    import sqlalchemy.exc

    module = type(exc).__module__
    return isinstance(
        exc, OSError | sqlite3.Error | sqlalchemy.exc.DBAPIError
    ) or module.startswith("asyncpg")


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, OSError) or type(exc).__name__ in _TRANSIENT_DRIVER_ERRORS
