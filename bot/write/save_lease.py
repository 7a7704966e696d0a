"""One save per thread at a time, across processes: a lease in the database, kept while the
save works. A save whose process died frees its thread within LEASE_SECONDS (at once when the
dead process was on this machine, see bot.store.leases)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass

from bot.store import ThreadSave
from bot.store.leases import new_owner
from bot.write.ports import SaveRecords, ThreadKey
from bot.write.save_request import SaveRequest

log = logging.getLogger("bot.write.save")
# The lease on a thread while one save of it runs, renewed every RENEW_SECONDS.
LEASE_SECONDS = 60.0
RENEW_SECONDS = 20.0


@dataclass
class Lease:
    key: ThreadKey
    owner: str
    left: ThreadSave | None  # what an interrupted or failed save of this thread left


async def take(saves: SaveRecords, req: SaveRequest, *, resuming: bool) -> Lease | None:
    """The thread's lease for a new owner, or None while another live save holds it."""
    owner = new_owner()
    claim = await saves.claim(
        req.thread_key,
        owner=owner,
        request=req.to_json(),
        user_id=req.user_id,
        lease_seconds=LEASE_SECONDS,
        resuming=resuming,
    )
    return None if claim is None else Lease(req.thread_key, owner, claim.left)


@contextlib.asynccontextmanager
async def kept(saves: SaveRecords, lease: Lease) -> AsyncIterator[None]:
    """Renew the lease in the background while the body runs."""
    renewing = asyncio.create_task(_keep_renewing(saves, lease), name="save-lease")
    try:
        yield
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing


async def _keep_renewing(saves: SaveRecords, lease: Lease) -> None:
    while True:
        await asyncio.sleep(RENEW_SECONDS)
        try:
            if not await saves.renew(lease.key, lease.owner, LEASE_SECONDS):
                log.warning("save lease lost channel=%s ts=%s", *lease.key[1:])
                return
        except Exception:
            log.exception("could not renew the save lease; retrying in %ss", RENEW_SECONDS)


async def settle(step: Awaitable[object]) -> None:
    """Record the end of a save. The save itself is over: a database hiccup here must not
    change what the user is told, and only delays the thread's lease."""
    try:
        await step
    except Exception:
        log.exception("could not record the end of a save; its lease expires in %ss", LEASE_SECONDS)
