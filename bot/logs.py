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
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class _MaskingFormatter(logging.Formatter):
    """Masks known secrets in the whole line, exception tracebacks included."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s and len(s) >= 6]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self._secrets:
            line = line.replace(secret, "***")
        return line


def configure_logging(level: str = "INFO", *, secrets: Iterable[str] = ()) -> None:
    """Called once by the CLI (never at import time)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _MaskingFormatter(
            "ts=%(asctime)s level=%(levelname)s logger=%(name)s request_id=%(request_id)s "
            "msg=%(message)s",
            secrets,
        )
    )
    handler.addFilter(_ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Quiet chatty libraries unless debugging (then they follow the root again).
    libraries = logging.WARNING if root.level > logging.DEBUG else logging.NOTSET
    for name in (
        "httpx",
        "httpcore",
        "slack_sdk",
        "slack_bolt",
        "bot.slack.bolt",
        "aiohttp",
        "apscheduler",
        "alembic.runtime.plugins",  # one line per autogenerate plugin at every start
        # slack_sdk formats a debug line for every Web API call unless these loggers' own
        # level (not an ancestor's) is above DEBUG.
        "slack_sdk.web.async_base_client",
        "slack_sdk.web.base_client",
    ):
        logging.getLogger(name).setLevel(libraries)
