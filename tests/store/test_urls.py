from __future__ import annotations

import pytest

from bot.store import DEFAULT_URL, Store, normalize_url, redact_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "sqlite+aiosqlite:///./confluence-bot.db"),
        ("  ", "sqlite+aiosqlite:///./confluence-bot.db"),
        ("sqlite:///data/bot.db", "sqlite+aiosqlite:///data/bot.db"),
        ("sqlite:////var/lib/bot.db", "sqlite+aiosqlite:////var/lib/bot.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgres://u:pw@db:5432/bot", "postgresql+asyncpg://u:pw@db:5432/bot"),
        ("postgresql://u:pw@db/bot", "postgresql+asyncpg://u:pw@db/bot"),
        ("postgresql+asyncpg://u@db/bot", "postgresql+asyncpg://u@db/bot"),
        (
            "postgres://u:pw@db/bot?sslmode=require&connect_timeout=10",
            "postgresql+asyncpg://u:pw@db/bot?ssl=require&timeout=10",
        ),
        ("postgresql://u:p%40ss@db/bot", "postgresql+asyncpg://u:p%40ss@db/bot"),
    ],
)
def test_normalize_url(given: str | None, expected: str) -> None:
    assert normalize_url(given) == expected


def test_default_is_a_file_in_the_working_directory() -> None:
    assert normalize_url(None) == DEFAULT_URL


@pytest.mark.parametrize("url", ["mysql://u:secret@db/bot", "postgresql+psycopg2://u:secret@db/x"])
def test_unsupported_scheme_is_refused_without_leaking_the_password(url: str) -> None:
    with pytest.raises(ValueError, match="unsupported") as caught:
        normalize_url(url)
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="in-memory"):
        normalize_url(url)


def test_unparseable_url_error_hides_the_password() -> None:
    with pytest.raises(ValueError) as caught:
        normalize_url("::not a url//u:hunter2@host")
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql+asyncpg://bot:hunter2@db:5432/bot",
            "postgresql+asyncpg://bot:***@db:5432/bot",
        ),
        (
            "postgres://bot:p%40ss@db/bot?sslmode=require",
            "postgres://bot:***@db/bot?sslmode=require",
        ),
        ("sqlite+aiosqlite:///./x.db", "sqlite+aiosqlite:///./x.db"),
        ("weird://bot:hunter2@db", "weird://bot:***@db"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_redact_url_without_a_parseable_scheme_still_hides_the_password() -> None:
    assert "hunter2" not in redact_url("::garbage://bot:hunter2@db")


def test_from_url_does_no_io_and_never_shows_the_password() -> None:
    # Nothing listens on port 1; constructing must still succeed because it does not connect.
    store = Store.from_url("postgres://bot:hunter2@127.0.0.1:1/bot")
    assert store.dialect == "postgresql"
    assert "hunter2" not in store.safe_url
    assert "hunter2" not in repr(store.engine)


def test_schema_is_only_for_postgresql() -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        Store.from_url("sqlite:///x.db", schema="other")
