"""Run any ASGI app on a real loopback socket for end-to-end tests and benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn


class Connections:
    """How many TCP connections a served app accepted (a client with a connection pool opens
    few; one that opens a session per call, one per request)."""

    def __init__(self) -> None:
        self.opened = 0


def _config(app: Any, host: str, connections: Connections | None = None) -> uvicorn.Config:
    config = uvicorn.Config(app, host=host, port=0, log_level="warning", lifespan="off")
    if connections is not None:
        config.load()
        base: type[Any] = config.http_protocol_class

        class Counted(base):  # type: ignore[misc,valid-type]
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                connections.opened += 1
                super().connection_made(transport)

        config.http_protocol_class = Counted
    return config


def _bound_url(server: uvicorn.Server, host: str) -> str:
    port = server.servers[0].sockets[0].getsockname()[1]
    return f"http://{host}:{port}"


@contextlib.contextmanager
def serve(
    app: Any,
    *,
    host: str = "127.0.0.1",
    startup_timeout: float = 10.0,
    connections: Connections | None = None,
) -> Iterator[str]:
    """Serve ``app`` from a background thread on a free port; yield its base URL.

    ``connections`` counts the TCP connections accepted (the check below is not counted)."""
    server = uvicorn.Server(_config(app, host, connections))
    # Signal handlers can only be installed from the main thread; uvicorn skips them elsewhere.
    thread = threading.Thread(target=server.run, name="uvicorn-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.005)
    url = _bound_url(server, host)
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection((host, port), timeout=startup_timeout):
        pass  # it accepts connections
    if connections is not None:
        deadline = time.monotonic() + startup_timeout
        while connections.opened < 1 and time.monotonic() < deadline:
            time.sleep(0.001)  # the server thread counts the check's connection
        connections.opened = 0
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(startup_timeout)


@contextlib.asynccontextmanager
async def serve_async(
    app: Any, *, host: str = "127.0.0.1", startup_timeout: float = 10.0
) -> AsyncIterator[str]:
    """Serve ``app`` as a task on the running event loop; yield its base URL."""
    server = uvicorn.Server(_config(app, host))
    # Leave the test runner's signal handlers alone.
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(startup_timeout):
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("test server stopped before starting")
            await asyncio.sleep(0.005)
    try:
        yield _bound_url(server, host)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, startup_timeout)
