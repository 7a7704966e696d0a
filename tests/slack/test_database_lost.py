"""The SQLite file deleted or replaced while the app runs: /healthz says so, and a user whose
change cannot be recorded durably is told (not answered ✅ for a write that vanishes at restart)."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from tests.slack.conftest import Harness


def _db_path(harness: Harness) -> Path:
    database = harness.services.store.engine.url.database
    assert database
    return Path(database)


def _delete(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _replace(path: Path) -> None:
    copy = path.with_name("copy.db")
    shutil.copy(path, copy)
    os.replace(copy, path)


@pytest.mark.parametrize(("lose", "word"), [(_delete, "deleted"), (_replace, "replaced")])
async def test_lost_database_is_unhealthy_and_writes_are_refused_loudly(
    harness: Harness, caplog: pytest.LogCaptureFixture, lose: object, word: str
) -> None:
    harness.confluence.add_space("ENG", "Engineering")
    assert (await harness.http.get("/healthz")).status_code == 200
    await harness.command("digest list")  # the app has its database open

    lose(_db_path(harness))  # type: ignore[operator]

    health = await harness.http.get("/healthz")
    assert health.status_code == 503 and word in health.json()["store"]
    _, url = await harness.command("digest subscribe ENG")
    answer = harness.answer_text(url)
    assert ":white_check_mark:" not in answer
    assert "couldn't record that" in answer and "database" in answer
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(word in r.getMessage() or word in str(r.exc_info) for r in errors)
