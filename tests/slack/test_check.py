"""`python -m bot check` against the fakes on loopback: one line per dependency, exit 1 on any
failure, and what is wrong said without echoing a secret."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.server import serve
from tests.fakes.slack_fake import FakeSlack
from tests.slack.processes import bot_env, fakes_env


@pytest.fixture(scope="module")
def endpoints() -> Iterator[dict[str, str]]:
    slack, confluence = FakeSlack(), FakeConfluence()
    confluence.add_user("acc-svc", "Service Account")
    with serve(slack.app) as slack_url, serve(confluence.app) as confluence_url:
        yield fakes_env(slack, slack_url, confluence, confluence_url)


def _check(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "check"],
        cwd=tmp_path,
        env=bot_env(**settings),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_all_good(endpoints: dict[str, str], tmp_path: Path) -> None:
    result = _check(tmp_path, **endpoints, DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["ok   slack", "ok   confluence", "ok   store"]
    assert "acme.atlassian.net" in lines[1]


def test_each_failure_is_named_without_secrets(endpoints: dict[str, str], tmp_path: Path) -> None:
    bad = endpoints | {
        "SLACK_BOT_TOKEN": "xoxb-revoked-0000000000",
        "MATON_API_KEY": "maton-wrong-key-0000000000",
        # Nothing listens on port 1: refused at once.
        "DATABASE_URL": "postgresql://postgres:pw-0000000000@127.0.0.1:1/test",
    }
    result = _check(tmp_path, **bad)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["FAIL slack", "FAIL confluence", "FAIL store"]
    assert "invalid_auth" in lines[0] and "SLACK_BOT_TOKEN" in lines[0]
    assert "DATABASE_URL" in lines[2]
    output = result.stdout + result.stderr
    for secret in ("xoxb-revoked-0000000000", "maton-wrong-key-0000000000", "pw-0000000000"):
        assert secret not in output
    assert "Traceback" not in output
