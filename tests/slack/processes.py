"""Running `python -m bot …` as a child process against the fakes on loopback (forked from a
process that imported the bot once: tests/children.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.store import Schedule, Store
from tests.children import BotProcess, start_bot
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.slack_fake import FakeSlack

REPO = Path(__file__).resolve().parents[2]
SETTING_NAMES = {name.upper() for name in Settings.model_fields}
WAIT_SECONDS = 60.0


def bot_env(**settings: str) -> dict[str, str]:
    """This environment without any of our settings (a developer's own stay out), plus these."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    return env | {"PYTHONPATH": str(REPO), **settings}


def fakes_env(
    slack: FakeSlack, slack_url: str, confluence: FakeConfluence, confluence_url: str
) -> dict[str, str]:
    """Settings that point the bot at the fakes (gateway mode)."""
    return {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_API_URL": slack_url + "/api/",
        "MATON_API_KEY": confluence.api_key,
        "MATON_API_URL": confluence_url,
    }


async def start(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> BotProcess:
    """Start `python -m bot <args>` in `cwd` (no .env there), output to `log`."""
    return await start_bot(args, env, cwd, log)


async def stop(proc: BotProcess) -> int:
    """SIGTERM, as a host stops a process; killed if it has not stopped within 20 s."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(proc.wait(), timeout=20)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError("the process ignored SIGTERM for 20 s") from None


async def stop_within(
    proc: BotProcess, seconds: float, sig: signal.Signals = signal.SIGTERM
) -> int:
    """Send `sig` and require the process to have ended within `seconds` (Ctrl-C is SIGINT)."""
    proc.send_signal(sig)
    try:
        return await asyncio.wait_for(proc.wait(), timeout=seconds)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError(f"the process ignored {sig.name} for {seconds} s") from None


async def exit_code(proc: BotProcess) -> int:
    """The process's exit status once it stops by itself (killed after WAIT_SECONDS: a hang)."""
    try:
        return await asyncio.wait_for(proc.wait(), timeout=WAIT_SECONDS)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError(f"the process did not stop by itself in {WAIT_SECONDS} s") from None


def error_line(output: str) -> str:
    """The CLI's final `confluence-bot: …` line (what a user reads), asserting there is one."""
    lines = [line for line in output.splitlines() if line.startswith("confluence-bot: ")]
    assert len(lines) == 1, output
    assert "Traceback" not in output, output
    return lines[0]


async def until(what: str, check: Callable[[], bool]) -> None:
    """Wait for `check()`; fail after WAIT_SECONDS (a hang, not a slow machine)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)  # the change comes from another process: look again shortly


async def seed_due_digest(
    database_url: str, confluence: FakeConfluence, channel: str | Sequence[str], now: datetime
) -> None:
    """Space ENG with one new blog post, and `channel` (or each of several) subscribed to it daily
    at a time that passed half an hour ago and was never delivered: a scheduler starting now
    finds it due."""
    space = confluence.add_space("ENG", "Engineering")
    confluence.add_blogpost("ENG", "Release 1.2", created_at=now - timedelta(hours=2))
    due = now - timedelta(minutes=30)
    store = Store.from_url(database_url)
    try:
        await store.migrate()
        for subscribed in [channel] if isinstance(channel, str) else channel:
            await store.subscriptions.upsert(
                team_id="T0001",
                channel_id=subscribed,
                space_key="ENG",
                space_id=str(space["id"]),
                schedule=Schedule("daily", due.hour, due.minute, "UTC"),
                created_by="U0001",
                now=now - timedelta(days=1),
            )
    finally:
        await store.close()
