"""Exactly one effect per modal submission (double clicks, Slack retries), retries after failure."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from bot.store import Store

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


async def claim_submission(store: Store, base_key: str) -> Submission:
    """`run` under the returned key, or `running`/`done` (with the first result) for a repeat."""
    for attempt in range(MAX_RETRIES):
        key = base_key if attempt == 0 else f"{base_key}:retry{attempt}"
        if await store.claim_once(key, TTL_SECONDS):
            return Submission("run", key)
        result = await store.get_result(key)
        if result is None:
            return Submission("running", key)
        if result != FAILED:
            return Submission("done", key, result)
    return Submission("running", base_key)
