"""Inline modal errors for work that finishes after the ack.

A view submission must be acknowledged within 3 s, and only that ack can show errors next to
inputs. The job runs in the background and reports its early checks (duplicate title, missing
page) through a Preflight; the listener waits for that up to a budget and then acks with the
errors, or closes the modal and lets the job tell the user privately.
"""

from __future__ import annotations

import asyncio
import contextlib

ACK_BUDGET_SECONDS = 2.0
Errors = dict[str, str]


class Preflight:
    def __init__(self) -> None:
        self._result: asyncio.Future[Errors | None] = asyncio.get_running_loop().create_future()

    def passed(self) -> None:
        if not self._result.done():
            self._result.set_result(None)

    def failed(self, errors: Errors) -> bool:
        """Offer inline errors; False when the modal already closed (tell the user yourself)."""
        if self._result.done():
            return False
        self._result.set_result(errors)
        return True

    async def outcome(self, budget: float = ACK_BUDGET_SECONDS) -> Errors | None:
        """Errors to show inline, or None (passed, or not known in time: the modal closes)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._result), budget)
        if self._result.done():
            return self._result.result()
        self._result.cancel()  # later `failed` calls now return False
        return None
