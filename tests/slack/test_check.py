"""`python -m bot check` against the fakes on loopback: one line per check on stdout (the Maton
connections it sees listed under the connection API's line), logs only on stderr, exit 0 / 1 / 2 as
the README states, and what is wrong said without echoing a secret."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.children import run_bot
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.server import serve
from tests.fakes.slack_fake import FakeSlack
from tests.slack.processes import REPO, bot_env, fakes_env

CHECK_LINE = re.compile(r"^(ok  |FAIL) (?P<name>[a-z][a-z ]*): \S")
DETAIL_LINE = re.compile(r"^     \S")


@pytest.fixture(scope="module")
def fakes() -> Iterator[tuple[FakeConfluence, dict[str, str]]]:
    slack, confluence = FakeSlack(), FakeConfluence()
    confluence.add_user("acc-svc", "Service Account")
    confluence.add_user("acc-ann", "Ann Example")
    with serve(slack.app) as slack_url, serve(confluence.app) as confluence_url:
        yield confluence, fakes_env(slack, slack_url, confluence, confluence_url)


@pytest.fixture
def maton(fakes: tuple[FakeConfluence, dict[str, str]]) -> Iterator[FakeConfluence]:
    """The service account's connection (the oldest), a user's own, and one never finished."""
    confluence = fakes[0]
    confluence.add_connection("conn-svc", account_id="acc-svc")
    confluence.add_connection("conn-ann", account_id="acc-ann")
    confluence.add_connection("conn-half", status="PENDING")
    yield confluence
    confluence.connections.clear()


def _check(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    return run_bot(["check"], bot_env(**settings), tmp_path)


def _checks(stdout: str) -> dict[str, str]:
    """Check name -> its line; every stdout line is a check line or a detail under one."""
    checks: dict[str, str] = {}
    for line in stdout.splitlines():
        match = CHECK_LINE.match(line)
        assert match or DETAIL_LINE.match(line), f"not a check line: {line!r}\n{stdout}"
        if match:
            checks[match["name"]] = line
    return checks


def test_all_good(
    fakes: tuple[FakeConfluence, dict[str, str]], maton: FakeConfluence, tmp_path: Path
) -> None:
    endpoints = fakes[1]
    result = _check(
        tmp_path,
        **endpoints,
        MATON_CONNECTION="conn-svc",
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    checks = _checks(result.stdout)
    assert list(checks) == ["slack", "confluence", "maton", "shared connection", "store"]
    assert all(line.startswith("ok   ") for line in checks.values())
    assert "acme.atlassian.net" in checks["confluence"]
    host = urlsplit(endpoints["MATON_API_URL"]).netloc
    assert host in checks["maton"] and "3 Confluence connections" in checks["maton"]
    assert "MATON_CONNECTION pins conn-svc" in checks["shared connection"]
    assert "Service Account" in checks["shared connection"]
    # The connections it sees, to pick MATON_CONNECTION from: id, status, whose account.
    details = [line for line in result.stdout.splitlines() if DETAIL_LINE.match(line)]
    assert len(details) == 3
    assert any("conn-svc" in d and "ACTIVE" in d and "Service Account" in d for d in details)
    assert any("conn-ann" in d and "ACTIVE" in d and "Ann Example" in d for d in details)
    assert any("conn-half" in d and "PENDING" in d for d in details)
    assert "Traceback" not in result.stderr


def test_several_connections_and_no_pin_is_a_failure_that_lists_the_choices(
    fakes: tuple[FakeConfluence, dict[str, str]], maton: FakeConfluence, tmp_path: Path
) -> None:
    result = _check(tmp_path, **fakes[1], DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}")
    assert result.returncode == 1, result.stdout + result.stderr
    shared = _checks(result.stdout)["shared connection"]
    assert shared.startswith("FAIL shared connection: MATON_CONNECTION is not set")
    assert "2 active connections" in shared and "conn-svc" in shared
    assert result.stdout.count("conn-ann") == 1  # listed once, under the maton line


def test_one_active_connection_and_no_pin_is_fine(
    fakes: tuple[FakeConfluence, dict[str, str]], tmp_path: Path
) -> None:
    confluence = fakes[0]
    confluence.add_connection("conn-only", account_id="acc-svc")
    try:
        result = _check(tmp_path, **fakes[1], DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}")
    finally:
        confluence.connections.clear()
    assert result.returncode == 0, result.stdout + result.stderr
    shared = _checks(result.stdout)["shared connection"]
    assert "only active connection, conn-only (Service Account)" in shared
    assert "MATON_CONNECTION=conn-only" in shared


@pytest.mark.parametrize(("pin", "why"), [("conn-gone", "not one of"), ("conn-half", "PENDING")])
def test_a_pin_that_cannot_work_is_named(
    fakes: tuple[FakeConfluence, dict[str, str]],
    maton: FakeConfluence,
    tmp_path: Path,
    pin: str,
    why: str,
) -> None:
    result = _check(
        tmp_path, **fakes[1], MATON_CONNECTION=pin, DATABASE_URL=f"sqlite:///{tmp_path / 'b.db'}"
    )
    assert result.returncode == 1
    shared = _checks(result.stdout)["shared connection"]
    assert shared.startswith(f"FAIL shared connection: MATON_CONNECTION={pin}") and why in shared


def test_direct_mode_has_no_maton_checks(tmp_path: Path) -> None:
    slack, confluence = FakeSlack(), FakeConfluence()
    with serve(slack.app) as slack_url, serve(confluence.app) as confluence_url:
        result = _check(
            tmp_path,
            SLACK_BOT_TOKEN=slack.bot_token,
            SLACK_API_URL=slack_url + "/api/",
            CONFLUENCE_URL=confluence_url,
            CONFLUENCE_EMAIL=confluence.email,
            CONFLUENCE_API_TOKEN=confluence.api_token,
            DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(_checks(result.stdout)) == ["slack", "confluence", "store"]


def test_each_failure_is_named_without_secrets(
    fakes: tuple[FakeConfluence, dict[str, str]], tmp_path: Path
) -> None:
    endpoints = fakes[1]
    bad = endpoints | {
        "SLACK_BOT_TOKEN": "xoxb-revoked-0000000000",
        "MATON_API_KEY": "maton-wrong-key-0000000000",
        # Nothing listens on port 1: refused at once.
        "DATABASE_URL": "postgresql://postgres:pw-0000000000@127.0.0.1:1/test",
    }
    result = _check(tmp_path, **bad)
    assert result.returncode == 1, result.stdout + result.stderr
    checks = _checks(result.stdout)
    assert list(checks) == ["slack", "confluence", "maton", "store"]
    assert all(line.startswith("FAIL ") for line in checks.values())
    assert "invalid_auth" in checks["slack"] and "SLACK_BOT_TOKEN" in checks["slack"]
    assert (
        "MATON_API_KEY" in checks["maton"]
        and urlsplit(endpoints["MATON_API_URL"]).netloc in checks["maton"]
    )
    assert "DATABASE_URL" in checks["store"]
    output = result.stdout + result.stderr
    for secret in ("xoxb-revoked-0000000000", "maton-wrong-key-0000000000", "pw-0000000000"):
        assert secret not in output
    assert "Traceback" not in output


def test_the_readme_states_these_exit_codes() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Checking the setup") :][:1500]
    for code, meaning in (("0", "every check passed"), ("1", "a check failed"), ("2", "settings")):
        assert re.search(rf"`{code}`[^\n]*{meaning}", section), (code, meaning)
