"""A Slack Socket Mode endpoint: the WebSocket that `apps.connections.open` points at.

Speaks the wire format of Slack's Socket Mode: a `hello` on connect, envelopes
`{"envelope_id", "type", "payload", "accepts_response_payload"}` pushed to the app, and acks
`{"envelope_id"[, "payload"]}` coming back. A connection needs a ticket that the Slack fake issued
(each ticket is good once), as the real `wss://wss-primary.slack.com/link/?ticket=…` URLs are.
Runs in the test's event loop (aiohttp, already a runtime dependency through slack_sdk).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.slack_fake import FakeSlack

__all__ = ["FakeSocketMode", "socket_mode_server"]


class FakeSocketMode:
    def __init__(self, slack: FakeSlack) -> None:
        self._slack = slack
        self._socket: web.WebSocketResponse | None = None
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.connected = asyncio.Event()
        self.connections = 0
        self.refused = 0
        # False: every connection attempt is refused, as when Slack's edge is down.
        self.accepting = True
        self.received: list[dict[str, Any]] = []  # every frame the app sent, acks included
        self.app = web.Application()
        self.app.router.add_get("/link/", self._link)

    async def _link(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if not self.accepting:
            self.refused += 1
            return web.Response(status=503, text="service unavailable")
        if ticket not in self._slack.socket_tickets:
            self.refused += 1
            return web.Response(status=401, text="invalid ticket")
        self._slack.socket_tickets.discard(ticket)
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._socket = socket
        self.connections += 1
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {
                    "host": "applink-fake",
                    "build_number": 1,
                    "approximate_connection_time": 3600,
                },
                "connection_info": {"app_id": self._slack.app_id},
            }
        )
        self.connected.set()
        async for frame in socket:
            if frame.type != WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            self.received.append(message)
            waiter = self._acks.pop(str(message.get("envelope_id")), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(message)
        if self._socket is socket:
            self._socket = None
            self.connected.clear()
        return socket

    async def refresh(self) -> None:
        """Ask the app to move to a new connection, as Slack does every few hours
        (`{"type": "disconnect", "reason": "refresh_requested"}`); the app opens a new one."""
        if self._socket is None:
            raise RuntimeError("no Socket Mode connection")
        await self._socket.send_json(
            {
                "type": "disconnect",
                "reason": "refresh_requested",
                "debug_info": {"host": "applink-fake"},
            }
        )

    async def send(
        self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool = False
    ) -> dict[str, Any]:
        """Push one envelope and return the app's ack for it (Slack waits 3 s; tests wait)."""
        if self._socket is None:
            raise RuntimeError("no Socket Mode connection")
        envelope_id = str(uuid.uuid4())
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = waiter
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope |= {"retry_attempt": 0, "retry_reason": ""}
        await self._socket.send_json(envelope)
        return await waiter


@asynccontextmanager
async def socket_mode_server(slack: FakeSlack) -> AsyncIterator[FakeSocketMode]:
    """Serve the fake on 127.0.0.1 and point the Slack fake's `apps.connections.open` at it."""
    fake = FakeSocketMode(slack)
    runner = web.AppRunner(fake.app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None and server.sockets  # aiohttp exposes the bound port only here
    port = server.sockets[0].getsockname()[1]
    slack.socket_mode_url = f"ws://127.0.0.1:{port}/link/"
    try:
        yield fake
    finally:
        slack.socket_mode_url = None
        await runner.cleanup()
