"""Database URL handling: pick the async driver and hide passwords in anything we print."""

from __future__ import annotations

import re

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_URL = "sqlite+aiosqlite:///./confluence-bot.db"

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
# libpq spellings people copy from their provider -> the asyncpg keyword argument.
_LIBPQ_TO_ASYNCPG = {"sslmode": "ssl", "connect_timeout": "timeout"}
# Fallback for strings SQLAlchemy cannot parse: blank whatever sits between "user:" and "@".
_PASSWORD_IN_URL = re.compile(r"([^:/@\s]*:)[^@\s]*@")


def normalize_url(url: str | None) -> str:
    """Return an async SQLAlchemy URL for `url` (None or blank -> the SQLite file default).

    `postgres://` and `postgresql://` become `postgresql+asyncpg://`; `sqlite:///x` becomes
    `sqlite+aiosqlite:///x`. libpq-only query parameters are renamed to what asyncpg understands.
    """
    if url is None or not url.strip():
        return DEFAULT_URL
    parsed = _parse(url.strip())
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValueError(
            f"unsupported database URL scheme {parsed.drivername!r}: "
            "use sqlite:///path/to/file.db or postgresql://user:password@host/dbname"
        )
    parsed = parsed.set(drivername=driver)
    if driver.startswith("sqlite"):
        if parsed.database in (None, "", ":memory:"):
            raise ValueError(
                "in-memory SQLite is not supported (each connection would see its own empty "
                "database); use a file such as sqlite:///./confluence-bot.db"
            )
    else:
        query = {_LIBPQ_TO_ASYNCPG.get(key, key): value for key, value in parsed.query.items()}
        parsed = parsed.set(query=query)
    return parsed.render_as_string(hide_password=False)


def redact_url(url: str) -> str:
    """`url` with any password replaced by `***`, safe for logs and error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _PASSWORD_IN_URL.sub(r"\1***@", url)


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        # ArgumentError's message repeats the URL, password included.
        raise ValueError(
            "cannot parse the database URL; expected e.g. postgresql://user:password@host/dbname"
        ) from None
