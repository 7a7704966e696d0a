"""Reconnect a Socket Mode session that died without telling anyone.

slack_sdk's aiohttp client has its own ping/pong monitor, but silent disconnects have been reported
(bolt-python #417, #1529). This watchdog checks independently and forces a new connection after
`grace` seconds of a dead session, so the bot is back within a minute.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

log = logging.getLogger("bot.slack.socket")


class SocketClient(Protocol):
    async def is_connected(self) -> bool: ...

    async def connect_to_new_endpoint(self, force: bool = False) -> None: ...


class SocketWatchdog:
    def __init__(
        self, client: SocketClient, *, interval: float = 10.0, grace: float = 30.0
    ) -> None:
        self._client = client
        self._interval = interval
        self._grace = grace
        self._dead_for = 0.0
        self.reconnects = 0

    async def check_once(self) -> None:
        try:
            connected = await self._client.is_connected()
        except Exception:
            log.exception("socket mode health check failed; treating the session as dead")
            connected = False
        if connected:
            self._dead_for = 0.0
            return
        self._dead_for += self._interval
        if self._dead_for < self._grace:
            return
        log.warning("socket mode session dead for %.0fs; reconnecting", self._dead_for)
        try:
            await self._client.connect_to_new_endpoint(force=True)
            self.reconnects += 1
            self._dead_for = 0.0
        except Exception:
            # Keep watching: the next check tries again; the failure is logged with its traceback.
            log.exception("socket mode reconnect failed; will retry")

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.check_once()
