"""Log lines: key=value with the request id, known secrets masked, nothing set up at import."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot import logs

SECRET = "fake-slack-token-not-real-0001"  # obviously fake: masking is by value, not shape
OTHER_SECRET = "fake-maton-key-not-real-0002"
QUIETED = ("httpx", "httpcore", "slack_sdk", "slack_bolt", "aiohttp", "apscheduler")
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fresh_request_id() -> Iterator[None]:
    # Sync tests share one context: don't let a request id leak into the next test.
    token = logs.request_id.set("-")
    yield
    logs.request_id.reset(token)


class Stderr:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def getvalue(self) -> str:
        return self._capsys.readouterr().err


@pytest.fixture
def stderr(capsys: pytest.CaptureFixture[str]) -> Iterator[Stderr]:
    """configure_logging writes to sys.stderr (capsys's stream during the test); the root
    logger is restored after."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    quieted = {name: logging.getLogger(name).level for name in QUIETED}
    yield Stderr(capsys)
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    for name, level in quieted.items():
        logging.getLogger(name).setLevel(level)


def test_secret_in_message_is_masked(stderr: Stderr) -> None:
    logs.configure_logging("INFO", secrets=[SECRET, OTHER_SECRET])
    logging.getLogger("bot.test").info(f"token is {SECRET} and key {OTHER_SECRET}")
    out = stderr.getvalue()
    assert SECRET not in out and OTHER_SECRET not in out
    assert "token is *** and key ***" in out


def test_secret_in_args_is_masked(stderr: Stderr) -> None:
    logs.configure_logging("INFO", secrets=[SECRET])
    logging.getLogger("bot.test").warning("headers=%s n=%d", {"Authorization": SECRET}, 5)
    out = stderr.getvalue()
    assert SECRET not in out
    assert "headers={'Authorization': '***'} n=5" in out


def test_messages_without_secrets_are_untouched(stderr: Stderr) -> None:
    logs.configure_logging("INFO", secrets=[SECRET])
    logging.getLogger("bot.test").info("100%% done for %s", "user-1")
    assert "msg=100% done for user-1" in stderr.getvalue()


def test_short_and_empty_secrets_are_not_masked(stderr: Stderr) -> None:
    # Masking "abc" or "" would mangle ordinary text.
    logs.configure_logging("INFO", secrets=["", "abc"])
    logging.getLogger("bot.test").info("abc def")
    assert "msg=abc def" in stderr.getvalue()


def test_line_is_key_value_with_request_id(stderr: Stderr) -> None:
    logs.configure_logging("INFO")
    rid = logs.new_request_id("Ev0123ABC")
    assert rid == "Ev0123ABC"
    logging.getLogger("bot.slack.search").info("searched")
    line = stderr.getvalue().strip()
    assert "level=INFO" in line
    assert "logger=bot.slack.search" in line
    assert "request_id=Ev0123ABC" in line
    assert line.endswith("msg=searched")


def test_request_id_defaults_to_dash(stderr: Stderr) -> None:
    logs.configure_logging("INFO")
    logging.getLogger("bot").info("hello")
    assert "request_id=- " in stderr.getvalue()


def test_new_request_id_without_hint_is_random_and_capped() -> None:
    first, second = logs.new_request_id(), logs.new_request_id()
    assert first != second and len(first) == 32
    assert logs.new_request_id("x" * 100) == "x" * 32
    assert logs.request_id.get() == "x" * 32


def test_level_is_applied_and_libraries_are_quieted(stderr: Stderr) -> None:
    logs.configure_logging("warning")
    assert logging.getLogger().level == logging.WARNING
    logging.getLogger("bot").info("hidden")
    assert stderr.getvalue() == ""
    logs.configure_logging("INFO")
    assert all(logging.getLogger(name).level == logging.WARNING for name in QUIETED)


def test_slack_sdk_formats_no_debug_line_per_call_unless_debugging(stderr: Stderr) -> None:
    # slack_sdk builds a debug line for every Web API call when its client logger's own level
    # is DEBUG or unset, whatever its ancestors' levels.
    logs.configure_logging("INFO")
    assert AsyncWebClient()._logger.level > logging.DEBUG
    logs.configure_logging("DEBUG")
    assert AsyncWebClient()._logger.getEffectiveLevel() == logging.DEBUG


def test_configure_twice_keeps_one_handler(stderr: Stderr) -> None:
    logs.configure_logging("INFO")
    logs.configure_logging("INFO")
    assert len(logging.getLogger().handlers) == 1
    logging.getLogger("bot").info("once")
    assert stderr.getvalue().count("msg=once") == 1


def test_no_handler_installed_at_import() -> None:
    code = (
        "import logging, bot.logs, bot.background\n"
        "root = logging.getLogger()\n"
        "assert root.handlers == [], root.handlers\n"
        "assert root.level == logging.WARNING, root.level\n"
        "print('clean')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "clean"


def test_secret_in_exception_text_is_masked(stderr: Stderr) -> None:
    logs.configure_logging("INFO", secrets=[SECRET])
    try:
        raise ValueError(f"invalid_auth for {SECRET}")
    except ValueError:
        logging.getLogger("bot.test").exception("call failed")
    out = stderr.getvalue()
    assert "call failed" in out
    assert SECRET not in out
