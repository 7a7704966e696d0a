"""The Socket Mode watchdog forces a reconnect after `grace` seconds of a dead session."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.slack.socket_watchdog import SocketWatchdog


class FakeSocketClient:
    """Records reconnects; `fail_next` makes the next reconnect raise once."""

    def __init__(self, *, connected: bool = True) -> None:
        self.connected = connected
        self.reconnect_calls: list[bool] = []
        self.fail_next = False
        self.reconnected = asyncio.Event()

    async def is_connected(self) -> bool:
        return self.connected

    async def connect_to_new_endpoint(self, force: bool = False) -> None:
        self.reconnect_calls.append(force)
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("apps.connections.open failed")
        self.connected = True
        self.reconnected.set()


async def _checks(watchdog: SocketWatchdog, n: int) -> None:
    for _ in range(n):
        await watchdog.check_once()


async def test_healthy_session_is_left_alone() -> None:
    client = FakeSocketClient(connected=True)
    watchdog = SocketWatchdog(client)
    await _checks(watchdog, 100)
    assert client.reconnect_calls == []
    assert watchdog.reconnects == 0


async def test_reconnects_only_after_grace() -> None:
    client = FakeSocketClient(connected=False)
    watchdog = SocketWatchdog(client, interval=10, grace=30)
    await _checks(watchdog, 2)  # dead for 20 s: still within grace
    assert client.reconnect_calls == []
    await watchdog.check_once()  # 30 s
    assert client.reconnect_calls == [True]  # forced
    assert watchdog.reconnects == 1
    assert client.connected


async def test_defaults_recover_within_a_minute() -> None:
    client = FakeSocketClient(connected=False)
    watchdog = SocketWatchdog(client)
    elapsed = 0.0
    while not client.reconnect_calls:
        await watchdog.check_once()
        elapsed += 10.0  # default interval; run() sleeps this long before each check
        assert elapsed <= 60.0
    # The session may have died just after the previous (healthy) check: one more interval.
    assert elapsed + 10.0 <= 60.0


async def test_recovery_resets_the_dead_time() -> None:
    client = FakeSocketClient(connected=False)
    watchdog = SocketWatchdog(client, interval=10, grace=30)
    await _checks(watchdog, 2)
    client.connected = True  # slack_sdk reconnected on its own
    await watchdog.check_once()
    client.connected = False
    await _checks(watchdog, 2)  # 20 s dead again, not 40
    assert client.reconnect_calls == []
    await watchdog.check_once()
    assert client.reconnect_calls == [True]


async def test_dead_time_resets_after_a_reconnect() -> None:
    client = FakeSocketClient(connected=False)
    watchdog = SocketWatchdog(client, interval=10, grace=30)
    await _checks(watchdog, 3)
    assert watchdog.reconnects == 1
    client.connected = False  # dies again right away
    await _checks(watchdog, 2)
    assert watchdog.reconnects == 1
    await watchdog.check_once()
    assert watchdog.reconnects == 2


async def test_survives_a_failing_reconnect_and_retries_next_check(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = FakeSocketClient(connected=False)
    client.fail_next = True
    watchdog = SocketWatchdog(client, interval=10, grace=30)
    with caplog.at_level(logging.WARNING, logger="bot.slack.socket"):
        await _checks(watchdog, 3)
    assert client.reconnect_calls == [True]
    assert watchdog.reconnects == 0
    assert not client.connected
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failures and failures[0].exc_info is not None
    # Still past grace: the very next check tries again rather than waiting another 30 s.
    await watchdog.check_once()
    assert client.reconnect_calls == [True, True]
    assert watchdog.reconnects == 1
    assert client.connected


async def test_reconnect_is_logged_as_warning(caplog: pytest.LogCaptureFixture) -> None:
    client = FakeSocketClient(connected=False)
    watchdog = SocketWatchdog(client, interval=10, grace=30)
    with caplog.at_level(logging.WARNING, logger="bot.slack.socket"):
        await _checks(watchdog, 3)
    assert any("reconnecting" in r.getMessage() for r in caplog.records)


async def test_run_checks_every_interval() -> None:
    client = FakeSocketClient(connected=False)
    watchdog = SocketWatchdog(client, interval=0.001, grace=0.003)
    task = asyncio.create_task(watchdog.run())
    try:
        async with asyncio.timeout(2):
            await client.reconnected.wait()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert client.reconnect_calls[0] is True


async def test_run_survives_is_connected_raising() -> None:
    class Flaky(FakeSocketClient):
        calls = 0

        async def is_connected(self) -> bool:
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError("session closed mid-check")
            return await super().is_connected()

    client = Flaky(connected=False)
    watchdog = SocketWatchdog(client, interval=0.001, grace=0.002)
    task = asyncio.create_task(watchdog.run())
    try:
        reconnected = asyncio.create_task(client.reconnected.wait())
        # Whichever comes first: a reconnect, or the watchdog task dying.
        await asyncio.wait({task, reconnected}, timeout=2, return_when=asyncio.FIRST_COMPLETED)
        reconnected.cancel()
        assert not task.done()
        assert watchdog.reconnects == 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
