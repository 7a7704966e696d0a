"""Inline form errors for work that finishes after the form is answered.

A form (a Slack modal) must be answered within 3 s, and only that answer can show errors next
to its inputs. The job runs in the background and reports its early checks (duplicate title,
missing page) through a Preflight; the caller waits for that up to a budget and then answers
with the errors, or closes the form, and the job's later failures are told privately.
"""

from __future__ import annotations

import asyncio
import contextlib

ACK_BUDGET_SECONDS = 2.0
Errors = dict[str, str]  # the form input (its key) -> the sentence to show next to it


class Preflight:
    def __init__(self) -> None:
        self._result: asyncio.Future[Errors | None] = asyncio.get_running_loop().create_future()

    def passed(self) -> None:
        if not self._result.done():
            self._result.set_result(None)

    def failed(self, errors: Errors) -> bool:
        """Offer inline errors; False when the form already closed (tell the user yourself)."""
        if self._result.done():
            return False
        self._result.set_result(errors)
        return True

    async def outcome(self, budget: float = ACK_BUDGET_SECONDS) -> Errors | None:
        """Errors to show inline, or None (passed, or not known in time: the form closes)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._result), budget)
        if self._result.done():
            return self._result.result()
        self._result.cancel()  # later `failed` calls now return False
        return None
