"""Starting `run` and `serve` for real against the fakes, with the usual first-run mistakes: each
ends in one line naming the setting and what to do, exit status 2, no traceback, no secret; a
database that is not up yet is waited for (logged), and a stop signal ends the wait."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.server import serve
from tests.fakes.slack_fake import FakeSlack
from tests.slack.processes import (
    bot_env,
    error_line,
    exit_code,
    fakes_env,
    start,
    stop_within,
    until,
)

COMMANDS = {"run": ["run"], "serve": ["serve", "--host", "127.0.0.1", "--port", "0"]}
DOWN_DATABASE = "postgresql://postgres:pw-db-0000000000@127.0.0.1:1/test"


@pytest.fixture(scope="module")
def fakes() -> Iterator[tuple[FakeSlack, dict[str, str]]]:
    slack, confluence = FakeSlack(), FakeConfluence()
    with serve(slack.app) as slack_url, serve(confluence.app) as confluence_url:
        yield slack, fakes_env(slack, slack_url, confluence, confluence_url)


def _env(
    fakes: tuple[FakeSlack, dict[str, str]], tmp_path: Path, **settings: str
) -> dict[str, str]:
    slack, endpoints = fakes
    return (
        bot_env(
            **endpoints,
            SLACK_APP_TOKEN=slack.app_token,
            SLACK_SIGNING_SECRET="signing-secret-0000000000",
            DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        )
        | settings
    )


async def _failed_start(command: str, env: dict[str, str], tmp_path: Path) -> str:
    log = tmp_path / f"{command}.log"
    proc = await start(COMMANDS[command], env, tmp_path, log)
    code = await exit_code(proc)
    output = log.read_text()
    assert code == 2, output
    return output


@pytest.mark.parametrize("command", COMMANDS)
async def test_a_bot_token_slack_refuses(
    fakes: tuple[FakeSlack, dict[str, str]], tmp_path: Path, command: str
) -> None:
    env = _env(fakes, tmp_path, SLACK_BOT_TOKEN="xoxb-revoked-0000000000")
    output = await _failed_start(command, env, tmp_path)
    line = error_line(output)
    assert line.startswith("confluence-bot: SLACK_BOT_TOKEN: Slack refused it (invalid_auth)")
    assert "OAuth & Permissions" in line
    assert "xoxb-revoked-0000000000" not in output


@pytest.mark.parametrize("command", COMMANDS)
async def test_slack_unreachable(
    fakes: tuple[FakeSlack, dict[str, str]], tmp_path: Path, command: str
) -> None:
    env = _env(fakes, tmp_path, SLACK_API_URL="http://127.0.0.1:1/api/")
    line = error_line(await _failed_start(command, env, tmp_path))
    assert line.startswith(
        "confluence-bot: SLACK_API_URL: cannot reach Slack at http://127.0.0.1:1/api/"
    )


@pytest.mark.parametrize("command", COMMANDS)
async def test_token_shapes_are_checked_before_any_network_call(
    fakes: tuple[FakeSlack, dict[str, str]], tmp_path: Path, command: str
) -> None:
    slack, _ = fakes
    before = len(slack.calls)
    env = _env(fakes, tmp_path, SLACK_BOT_TOKEN=slack.app_token, LOG_LEVEL="verbose")
    output = await _failed_start(command, env, tmp_path)
    assert "SLACK_BOT_TOKEN: this is an app-level token" in output
    assert "LOG_LEVEL: 'verbose' is not a log level" in output
    assert "Traceback" not in output and slack.app_token not in output
    assert len(slack.calls) == before


@pytest.mark.parametrize("command", COMMANDS)
async def test_a_database_that_does_not_come_up(
    fakes: tuple[FakeSlack, dict[str, str]], tmp_path: Path, command: str
) -> None:
    env = _env(fakes, tmp_path, DATABASE_URL=DOWN_DATABASE, DATABASE_WAIT_SECONDS="1")
    output = await _failed_start(command, env, tmp_path)
    assert "database not answering yet" in output  # retried, and the wait is logged
    line = error_line(output)
    assert line.startswith(
        "confluence-bot: DATABASE_URL: postgresql+asyncpg://postgres:***@127.0.0.1:1/test"
    )
    assert "did not answer for 1 s (ConnectionRefusedError)" in line
    assert "DATABASE_WAIT_SECONDS" in line
    assert "pw-db-0000000000" not in output


@pytest.mark.parametrize("command", COMMANDS)
async def test_mysql_is_refused_before_starting(
    fakes: tuple[FakeSlack, dict[str, str]], tmp_path: Path, command: str
) -> None:
    env = _env(fakes, tmp_path, DATABASE_URL="mysql://bot:pw-my-0000000000@db/bot")
    line = error_line(await _failed_start(command, env, tmp_path))
    assert line.startswith("confluence-bot: configuration error: DATABASE_URL: unsupported")


@pytest.mark.parametrize("command", COMMANDS)
async def test_a_signal_stops_the_wait_for_the_database(
    fakes: tuple[FakeSlack, dict[str, str]], tmp_path: Path, command: str
) -> None:
    env = _env(fakes, tmp_path, DATABASE_URL=DOWN_DATABASE, DATABASE_WAIT_SECONDS="300")
    log = tmp_path / f"{command}.log"
    proc = await start(COMMANDS[command], env, tmp_path, log)
    await until("a logged retry", lambda: "database not answering yet" in log.read_text())
    code = await stop_within(proc, 5.0, signal.SIGTERM)
    assert code == 0, log.read_text()
    assert "Traceback" not in log.read_text()
