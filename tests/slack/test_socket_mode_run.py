"""The README's start command path: a real `python -m bot run` (Socket Mode, SQLite) against the
Slack fake, its Socket Mode endpoint and the Confluence fake, all on loopback.

Proves the default deployment end to end: the app-level token opens the connection, a slash
command envelope is acked on the socket and answered through its response_url, the digest
scheduler posts with the bot token, Slack's "refresh_requested" moves the app to a new connection
that keeps working, and SIGTERM stops the process cleanly.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.server import serve
from tests.fakes.slack_fake import FakeSlack
from tests.fakes.socket_mode_fake import FakeSocketMode, socket_mode_server
from tests.slack.processes import (
    WAIT_SECONDS,
    bot_env,
    error_line,
    exit_code,
    fakes_env,
    seed_due_digest,
    start,
    stop,
    stop_within,
    until,
)

USER, CHANNEL, DIGESTS = "U0001", "C0001", "C0DIGEST"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeSlack, str, FakeConfluence, str]]:
    slack = FakeSlack()
    slack.add_user(USER, "someone", real_name="Some One")
    slack.add_channel(CHANNEL, "general", members=("UBOT", USER))
    slack.add_channel(DIGESTS, "releases", members=("UBOT",))
    confluence = FakeConfluence()
    with serve(slack.app) as slack_url, serve(confluence.app) as confluence_url:
        yield slack, slack_url, confluence, confluence_url


async def _search(socket: FakeSocketMode, slack: FakeSlack, slack_url: str, words: str) -> Any:
    """A `/confluence search` envelope on the socket; its ack, then the answer at response_url."""
    response_url = slack.new_response_url(slack_url)
    ack = await asyncio.wait_for(
        socket.send(
            "slash_commands",
            {
                "token": "verification-token",
                "team_id": "T0001",
                "team_domain": "fake-workspace",
                "channel_id": CHANNEL,
                "channel_name": "general",
                "user_id": USER,
                "user_name": "someone",
                "command": "/confluence",
                "text": f"search {words}",
                "api_app_id": slack.app_id,
                "is_enterprise_install": "false",
                "response_url": response_url,
                "trigger_id": slack.new_trigger_id(),
            },
            accepts_response_payload=True,
        ),
        WAIT_SECONDS,
    )
    assert "envelope_id" in ack  # acked on the socket
    rid = response_url.rsplit("/", 1)[-1]
    await until("the search answer", lambda: any(r["id"] == rid for r in slack.responses))
    [answer] = [r["body"] for r in slack.responses if r["id"] == rid]
    return answer


async def test_run_serves_socket_mode_and_posts_digests(
    fakes: tuple[FakeSlack, str, FakeConfluence, str], tmp_path: Path
) -> None:
    slack, slack_url, confluence, confluence_url = fakes
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    await seed_due_digest(database_url, confluence, DIGESTS, now)
    confluence.add_page("ENG", "Onboarding guide", "<p>Welcome to onboarding at Acme.</p>")
    metrics_port = _free_port()
    env = bot_env(
        **fakes_env(slack, slack_url, confluence, confluence_url),
        DATABASE_URL=database_url,
        SLACK_APP_TOKEN=slack.app_token,
        METRICS_PORT=str(metrics_port),
        # A Slack session left open at shutdown would say so (an error in its finalizer).
        PYTHONWARNINGS="error::ResourceWarning",
    )
    log = tmp_path / "run.log"
    async with socket_mode_server(slack) as socket:
        proc = await start(["run"], env, tmp_path, log)
        try:

            def connected() -> bool:
                assert proc.returncode is None, log.read_text()
                return socket.connected.is_set()

            await until("the Socket Mode connection", connected)
            first = await _search(socket, slack, slack_url, "onboarding")
            await until("the digest", lambda: bool(slack.messages[DIGESTS]))
            # Slack's periodic refresh: the app moves to a new connection and keeps working.
            await socket.refresh()
            await until("a new connection", lambda: socket.connections == 2)
            second = await _search(socket, slack, slack_url, "welcome")
            # METRICS_PORT: /healthz for a container platform's probe, /metrics for Prometheus.
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{metrics_port}") as probe:
                health = (await probe.get("/healthz")).json()
                metrics = (await probe.get("/metrics")).text
        finally:
            code = await stop(proc)

    output = log.read_text()
    assert code == 0, output
    assert "Traceback" not in output and "level=ERROR" not in output, output
    assert "Unclosed" not in output, output
    assert slack.bot_token not in output and slack.app_token not in output
    assert socket.refused == 0

    for answer in (first, second):
        assert answer["response_type"] == "ephemeral"
        assert "Onboarding guide" in json.dumps(answer)
    assert [c.token for c in slack.calls_to("apps.connections.open")] == [slack.app_token] * 2

    [digest] = slack.messages[DIGESTS]
    assert digest["text"] == "1 new blog post in ENG"
    assert digest["metadata"]["event_type"] == "confluence_digest"

    assert health["ok"] is True and health["slack"] == "connected" and health["store"] == "ok"
    searches = 'confluence_bot_slack_requests_total{kind="command",name="search",outcome="acked"}'
    assert f"{searches} 2.0" in metrics
    assert 'confluence_bot_scheduled_job_runs_total{job="digest_tick"}' in metrics


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_metrics_port_in_use_stops_run_with_one_line(
    fakes: tuple[FakeSlack, str, FakeConfluence, str], tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        log = tmp_path / "run.log"
        async with socket_mode_server(fakes[0]):
            env = _run_env(fakes, tmp_path, METRICS_PORT=str(port))
            code = await exit_code(await start(["run"], env, tmp_path, log))
    assert code == 2
    assert error_line(log.read_text()).startswith(
        f"confluence-bot: METRICS_PORT: cannot listen on port {port}"
    )


def _run_env(
    fakes: tuple[FakeSlack, str, FakeConfluence, str], tmp_path: Path, **settings: str
) -> dict[str, str]:
    slack, slack_url, confluence, confluence_url = fakes
    return (
        bot_env(
            **fakes_env(slack, slack_url, confluence, confluence_url),
            DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
            SLACK_APP_TOKEN=slack.app_token,
        )
        | settings
    )


@pytest.mark.parametrize(
    ("refusal", "error"),
    [
        ("wrong token", "invalid_auth"),
        ("no connections:write", "missing_scope"),
        ("revoked", "token_revoked"),
        ("socket mode off", "not_allowed_token_type"),
    ],
)
async def test_a_refused_app_token_stops_run_with_one_line(
    fakes: tuple[FakeSlack, str, FakeConfluence, str], tmp_path: Path, refusal: str, error: str
) -> None:
    """Not retried for ever (slack_sdk's loop would): one apps.connections.open, exit 2."""
    slack = fakes[0]
    env = _run_env(fakes, tmp_path)
    if refusal == "wrong token":
        env["SLACK_APP_TOKEN"] = "xapp-1-A0001-pasted-with-a-typo"
    elif refusal == "no connections:write":
        slack.app_token_scopes = {"authorizations:read"}
    elif refusal == "revoked":
        slack.revoked_tokens.add(slack.app_token)
    log = tmp_path / "run.log"
    async with socket_mode_server(slack) as socket:
        if refusal == "socket mode off":
            slack.socket_mode_url = None
        proc = await start(["run"], env, tmp_path, log)
        code = await exit_code(proc)
    output = log.read_text()
    assert code == 2, output
    line = error_line(output)
    assert line.startswith(f"confluence-bot: SLACK_APP_TOKEN: Slack refused it ({error}")
    assert "connections:write" in line and "App-Level Tokens" in line
    assert len(slack.calls_to("apps.connections.open")) == 1
    assert socket.connections == 0
    assert slack.app_token not in output and "pasted-with-a-typo" not in output


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_stops_run_while_slack_refuses_the_connection(
    fakes: tuple[FakeSlack, str, FakeConfluence, str], tmp_path: Path, sig: signal.Signals
) -> None:
    """slack_sdk retries a refused WebSocket for ever; SIGTERM and Ctrl-C still stop it."""
    slack = fakes[0]
    log = tmp_path / "run.log"
    async with socket_mode_server(slack) as socket:
        socket.accepting = False
        proc = await start(["run"], _run_env(fakes, tmp_path), tmp_path, log)
        await until("a refused connection", lambda: socket.refused >= 1)
        code = await stop_within(proc, 5.0, sig)
    output = log.read_text()
    assert code in (0, 130), output
    assert socket.connections == 0
