"""Structured log lines (key=value) with a request id, and a filter that masks known secrets."""

from __future__ import annotations

import contextvars
import logging
import sys
import uuid
from collections.abc import Iterable

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def new_request_id(hint: str | None = None) -> str:
    rid = (hint or uuid.uuid4().hex)[:32]
    request_id.set(rid)
    return rid


class _ContextFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        if self._secrets:
            message = record.getMessage()
            masked = message
            for secret in self._secrets:
                masked = masked.replace(secret, "***")
            if masked != message:
                record.msg, record.args = masked, None
        return True


def configure_logging(level: str = "INFO", *, secrets: Iterable[str] = ()) -> None:
    """Called once by the CLI (never at import time)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter(
            "ts=%(asctime)s level=%(levelname)s logger=%(name)s request_id=%(request_id)s "
            "msg=%(message)s"
        )
    )
    handler.addFilter(_ContextFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Quiet chatty libraries unless debugging.
    if root.level > logging.DEBUG:
        for name in ("httpx", "httpcore", "slack_sdk", "slack_bolt", "aiohttp", "apscheduler"):
            logging.getLogger(name).setLevel(logging.WARNING)
