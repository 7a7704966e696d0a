"""The confluence-bot command: clear configuration errors (exit 2, no secrets), argparse usage."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings

REPO = Path(__file__).resolve().parents[1]
SETTING_NAMES = [name.upper() for name in Settings.model_fields]
SECRETS = {
    "MATON_API_KEY": "mk-cli-secret-111111",
    "CONFLUENCE_URL": "https://acme.atlassian.net",
    "CONFLUENCE_EMAIL": "me@acme.com",
    "CONFLUENCE_API_TOKEN": "tok-cli-secret-222222",
    "SLACK_BOT_TOKEN": "xoxb-cli-secret-333333",
    "SLACK_SIGNING_SECRET": "signing-cli-secret-444444",
}


@pytest.fixture(autouse=True)
def no_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


@pytest.fixture(autouse=True)
def keep_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_check_without_confluence_settings_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("confluence-bot: configuration error: ")
    assert "MATON_API_KEY" in err and "CONFLUENCE_API_TOKEN" in err
    assert err.count("\n") == 1  # one line, no traceback


def test_configuration_error_does_not_show_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)  # both Confluence modes at once: an error
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "exactly one" in err
    for value in SECRETS.values():
        if "secret" in value:
            assert value not in err


def test_invalid_value_is_named_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MATON_API_KEY", SECRETS["MATON_API_KEY"])
    monkeypatch.setenv("MATON_API_URL", "ftp://user:url-secret-555555@gateway")
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "MATON_API_URL" in err
    assert "url-secret-555555" not in err
    assert SECRETS["MATON_API_KEY"] not in err


def test_configuration_error_installs_no_log_handler() -> None:
    before = logging.getLogger().handlers[:]
    assert main(["check"]) == 2
    assert logging.getLogger().handlers == before


@pytest.mark.parametrize("argv", [["frobnicate"], [], ["check", "--bogus"]])
def test_argparse_rejects_bad_usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage: confluence-bot" in capsys.readouterr().err


def test_serve_port_must_be_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["serve", "--port", "eighty"])
    assert info.value.code == 2
    assert "--port" in capsys.readouterr().err


def _run_module(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_python_m_bot_help(tmp_path: Path) -> None:
    result = _run_module("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: confluence-bot")
    for command in ("run", "serve", "check"):
        assert command in result.stdout


def test_python_m_bot_check_reports_configuration_error(tmp_path: Path) -> None:
    result = _run_module("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "configuration error" in result.stderr
    assert "Traceback" not in result.stderr


def _problem_lines(err: str) -> dict[str, str]:
    """stderr lines `confluence-bot: configuration error: SETTING: …` by setting name."""
    lines = err.splitlines()
    prefix = "confluence-bot: configuration error: "
    assert all(line.startswith(prefix) for line in lines), err
    return {line[len(prefix) :].split(":")[0]: line for line in lines}


def test_every_configuration_mistake_is_reported_at_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "verbose")
    monkeypatch.setenv("DATABASE_URL", "mysql://bot:db-secret-666666@db.internal/bot")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "oops-bot-secret-777777")
    monkeypatch.setenv("METRICS_PORT", "99999")
    assert main(["run"]) == 2  # and no Confluence credentials, no SLACK_APP_TOKEN
    err = capsys.readouterr().err
    problems = _problem_lines(err)
    assert set(problems) == {
        "LOG_LEVEL",
        "DATABASE_URL",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "METRICS_PORT",
        "MATON_API_KEY / CONFLUENCE_API_TOKEN",
    }, err
    assert "DEBUG, INFO, WARNING or ERROR" in problems["LOG_LEVEL"]
    assert "'mysql'" in problems["DATABASE_URL"] and "postgresql://" in problems["DATABASE_URL"]
    assert (
        "xoxb-" in problems["SLACK_BOT_TOKEN"]
        and "OAuth & Permissions" in problems["SLACK_BOT_TOKEN"]
    )
    assert "connections:write" in problems["SLACK_APP_TOKEN"]
    assert "Traceback" not in err
    assert "db-secret-666666" not in err and "oops-bot-secret-777777" not in err
    assert logging.getLogger().handlers == [] or "ts=" not in err  # no log lines before the report


def test_a_bot_token_pasted_as_the_app_token_is_named_as_such(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MATON_API_KEY", SECRETS["MATON_API_KEY"])
    monkeypatch.setenv("SLACK_BOT_TOKEN", SECRETS["SLACK_BOT_TOKEN"])
    monkeypatch.setenv("SLACK_APP_TOKEN", SECRETS["SLACK_BOT_TOKEN"])
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    (line,) = _problem_lines(err).values()
    assert line.startswith(
        "confluence-bot: configuration error: SLACK_APP_TOKEN: this is the bot token"
    )
    assert "App-Level Tokens" in line and "connections:write" in line
    assert SECRETS["SLACK_BOT_TOKEN"] not in err


@pytest.mark.parametrize(
    ("command", "missing"),
    [
        ("run", {"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"}),
        ("serve", {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}),
    ],
)
def test_each_command_names_the_slack_settings_it_needs(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    missing: set[str],
) -> None:
    monkeypatch.setenv("MATON_API_KEY", SECRETS["MATON_API_KEY"])
    assert main([command]) == 2
    assert set(_problem_lines(capsys.readouterr().err)) == missing


def test_check_needs_no_slack_token_to_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check` reports a missing bot token as a failed check line instead."""
    monkeypatch.setenv("LOG_LEVEL", "loud")
    monkeypatch.setenv("MATON_API_KEY", SECRETS["MATON_API_KEY"])
    assert main(["check"]) == 2
    assert set(_problem_lines(capsys.readouterr().err)) == {"LOG_LEVEL"}
