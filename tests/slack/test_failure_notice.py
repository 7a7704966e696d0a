"""What users hear about unexpected failures in background work."""

from __future__ import annotations

from typing import Any

from bot.background import BackgroundTasks
from bot.slack import failure_notice
from bot.store import DatabaseLost


class Respond:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def __call__(self, **kwargs: Any) -> None:
        self.sent.append(kwargs)


async def _fail_with(exc: Exception) -> list[dict[str, Any]]:
    respond = Respond()
    tasks = BackgroundTasks()

    async def broken() -> None:
        raise exc

    tasks.spawn(broken(), name="job", on_error=failure_notice.by_respond(respond))  # type: ignore[arg-type]
    await tasks.wait_idle()
    return respond.sent


async def test_a_lost_database_is_named_to_the_user() -> None:
    [sent] = await _fail_with(DatabaseLost("database file /x.db was deleted while the app ran"))
    assert sent["text"] == failure_notice.DATABASE_LOST and sent["response_type"] == "ephemeral"
    assert "/x.db" not in sent["text"]  # paths stay in the log


async def test_other_failures_stay_generic() -> None:
    [sent] = await _fail_with(RuntimeError("boom"))
    assert sent["text"] == failure_notice.SOMETHING_WENT_WRONG
