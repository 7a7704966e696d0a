"""Exactly one effect per form submission, and one place that says how it ended.

A submission (Save, Create, Comment) is claimed under a key made of the form and the values
sent: double clicks and Slack's retries find the claim and are answered with the first result.
The job runs in the background and returns its answer or raises a UserError. The runner alone
records the outcome and routes the answer: next to the form's input while the form still waits
(see Preflight), else privately. A failure is remembered as FAILED, so sending the same values
again retries.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from bot.write.ports import Background, Notifier, Recipient, SubmissionRecords
from bot.write.preflight import Errors, Preflight

log = logging.getLogger("bot.write.submissions")
TTL_SECONDS = 24 * 3600.0
FAILED = "-"  # remembered when a job failed, so submitting the same values again may retry
MAX_RETRIES = 20


@dataclass(frozen=True)
class Submission:
    state: Literal["run", "running", "done"]
    key: str
    result: str | None = None


def submission_key(kind: str, view_id: str, values: Any) -> str:
    """Same view and same values -> same key; changed values (after an inline error) -> new key."""
    digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:24]
    return f"{kind}:{view_id}:{digest}"


async def claim_submission(records: SubmissionRecords, base_key: str) -> Submission:
    """`run` under the returned key, or `running`/`done` (with the first result) for a repeat."""
    for attempt in range(MAX_RETRIES):
        key = base_key if attempt == 0 else f"{base_key}:retry{attempt}"
        if await records.claim_once(key, TTL_SECONDS):
            return Submission("run", key)
        result = await records.get_result(key)
        if result is None:
            return Submission("running", key)
        if result != FAILED:
            return Submission("done", key, result)
    return Submission("running", base_key)


@dataclass(frozen=True)
class Answer:
    text: str  # told privately once the job is done
    record: str  # remembered as the submission's result (a page id: repeats point at it)


class UserError(Exception):
    """A failure the user can act on, worded for them. `field` names the form input it is
    about (None: none), where it shows while the form still waits."""

    def __init__(self, text: str, field: str | None = None) -> None:
        super().__init__(text)
        self.text = text
        self.field = field


# The work of one submission, run under its claimed key: an answer, None when there is nothing
# to say or record (another process finishes it and answers), or a UserError. It calls
# `preflight.passed()` once its early checks are done, so the form closes while the rest runs.
Job = Callable[[str, Preflight], Awaitable[Answer | None]]
# What to tell a repeat of a finished submission, from the first one's recorded result.
Repeat = Callable[[str], Awaitable[str]]


def about(to: Recipient) -> str:
    return f"user={to.user_id} team={to.team_id} channel={to.channel_id}"


class SubmissionRunner:
    def __init__(
        self, records: SubmissionRecords, notifier: Notifier, background: Background
    ) -> None:
        self._records = records
        self._notifier = notifier
        self._background = background

    async def run_submission(
        self, key: str, to: Recipient, job: Job, *, name: str, repeat: Repeat
    ) -> Errors | None:
        """Claim `key`, start `job`, and return the errors to show in the form (None: close it)."""
        claim = await claim_submission(self._records, key)
        if claim.state != "run":
            log.info("repeated submission ignored key=%s state=%s", key, claim.state)
            if claim.state == "done" and claim.result and claim.result != FAILED:
                self._spawn(self._repeat(to, claim.result, repeat), f"{name}-repeat", to)
            return None
        preflight = Preflight()

        async def failed() -> None:
            # Free the submission for a retry, then say so (the form may have closed already).
            await self._records.remember_result(claim.key, FAILED)
            await self._notifier.tell_failure(to.user_id, to.channel_id)

        self._spawn(self.settle(claim.key, to, job, preflight), name, to, on_error=failed)
        return await preflight.outcome()

    async def settle(self, key: str, to: Recipient, job: Job, preflight: Preflight) -> None:
        """Run `job`, record how it ended under `key` and tell `to` (inline while the form waits).

        Without a claim of its own: a resumed save runs under its first submission's key."""
        try:
            answer = await job(key, preflight)
        except UserError as exc:
            await self._records.remember_result(key, FAILED)
            if exc.field is None or not preflight.failed({exc.field: exc.text}):
                preflight.passed()
                await self._notifier.tell(to.user_id, to.channel_id, exc.text)
            return
        preflight.passed()
        if answer is not None:
            await self._records.remember_result(key, answer.record)
            await self._notifier.tell(to.user_id, to.channel_id, answer.text)

    async def _repeat(self, to: Recipient, result: str, repeat: Repeat) -> None:
        await self._notifier.tell(to.user_id, to.channel_id, await repeat(result))

    def _spawn(
        self,
        job: Coroutine[Any, Any, None],
        name: str,
        to: Recipient,
        on_error: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        async def tell_failure() -> None:
            await self._notifier.tell_failure(to.user_id, to.channel_id)

        self._background.spawn(job, name=name, about=about(to), on_error=on_error or tell_failure)
