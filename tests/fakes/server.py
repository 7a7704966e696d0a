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


def _config(app: Any, host: str) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=0, log_level="warning", lifespan="off")


def _bound_url(server: uvicorn.Server, host: str) -> str:
    port = server.servers[0].sockets[0].getsockname()[1]
    return f"http://{host}:{port}"


@contextlib.contextmanager
def serve(app: Any, *, host: str = "127.0.0.1", startup_timeout: float = 10.0) -> Iterator[str]:
    """Serve ``app`` from a background thread on a free port; yield its base URL."""
    server = uvicorn.Server(_config(app, host))
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
