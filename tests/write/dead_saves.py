"""Saves as a process that died mid-way leaves them in the store (a lease held by a process that
exited, with or without the intent to create a page); the real process kill is in
tests/slack/test_save_crash.py."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

from bot.store import Store
from bot.store.leases import new_owner
from bot.write import SaveRequest


def dead_owner() -> str:
    """The owner name of a process on this machine that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    where, _, token = new_owner().split(":")
    return f"{where}:{child.pid}:{token}"


async def died(
    store: Store,
    req: SaveRequest,
    *,
    intent: tuple[str, str] | None = None,
    page_id: str | None = None,
    at: datetime | None = None,
) -> None:
    """Record the save as a process that died mid-way leaves it."""
    saves = store.saves
    await store.claim_once(req.idempotency_key, 3600)  # the modal's submission
    owner = dead_owner()
    claim = await saves.claim(
        req.thread_key, owner=owner, request=req.to_json(), user_id=req.user_id, lease_seconds=60
    )
    assert claim is not None
    if intent is not None:
        assert await saves.creating(req.thread_key, owner, *intent, now=at)
    if page_id is not None:
        assert await saves.created(req.thread_key, owner, page_id)


async def resumed_and_died(store: Store, req: SaveRequest, times: int) -> None:
    """Record `times` resumes of the save, each by a process that died too."""
    for _ in range(times):
        claim = await store.saves.claim(
            req.thread_key,
            owner=dead_owner(),
            request=req.to_json(),
            user_id=req.user_id,
            lease_seconds=60,
            resuming=True,
        )
        assert claim is not None
