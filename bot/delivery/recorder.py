"""Completions recorded in batches: one transaction for many deliveries.

A delivery waits on Slack; recording how it ended need not wait on the database each time.
Completions (and the feature's followups) collect here and the ClaimStore writes them together
when `size` are waiting, `seconds` after the first of a batch arrived, or on `flush()`. Both are
far inside a claim's lease (minutes), so no claim runs out while its record waits.

A process that dies with a batch unwritten leaves those claims as "claimed"; once their lease
runs out another process takes them over, finds the messages by their mark (see `mark`) and
posts nothing twice. A batch the database refused is dropped the same way, and logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.delivery.claims import Claim, ClaimStore, Completion, Followup

__all__ = ["BATCH_SECONDS", "BATCH_SIZE", "Recorder"]

log = logging.getLogger("bot.delivery")

# 1,000 due digests make 5 batches; a batch waits at most a second (a lease is 5 minutes).
BATCH_SIZE = 200
BATCH_SECONDS = 1.0


class Recorder:
    def __init__(
        self, store: ClaimStore, *, size: int = BATCH_SIZE, seconds: float = BATCH_SECONDS
    ) -> None:
        self._store = store
        self._size = size
        self._seconds = seconds
        self._completions: list[Completion] = []
        self._followups: list[Followup] = []
        self._lost: list[Claim] = []
        self._writing = asyncio.Lock()  # one batch at a time; newer ones collect meanwhile
        self._timer: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task[None]] = set()

    @property
    def waiting(self) -> int:
        """Completions not written yet."""
        return len(self._completions)

    async def add(
        self, completions: Sequence[Completion], followups: Sequence[Followup] = ()
    ) -> None:
        """Queue completions (and followups); writes the batch when it is full."""
        self._completions.extend(completions)
        self._followups.extend(followups)
        if len(self._completions) >= self._size:
            await self._write()
        elif self._timer is None and (self._completions or self._followups):
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self._seconds, self._write_in_background)

    async def flush(self) -> list[Claim]:
        """Write everything queued; returns the claims found lost since the last flush (another
        process had taken them over; each was logged)."""
        if self._background:
            await asyncio.gather(*self._background)
        await self._write()
        lost, self._lost = self._lost, []
        return lost

    def _write_in_background(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self._write_logged())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _write_logged(self) -> None:
        try:
            await self._write()
        except Exception:  # the claims are taken over after their lease; see the module notes
            log.exception("delivery records not written; their claims will be taken over")

    async def _write(self) -> None:
        async with self._writing:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            completions, self._completions = self._completions, []
            followups, self._followups = self._followups, []
            if not completions and not followups:
                return
            lost = await self._store.complete(completions, followups)
        for claim in lost:
            log.warning(
                "delivery claim lost kind=%s subject=%s item=%s",
                claim.key.kind,
                claim.key.subject,
                claim.key.item,
            )
        self._lost.extend(lost)
