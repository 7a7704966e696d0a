"""aiosqlite runs each connection in a worker thread, and abandons the thread of a failed connect
without awaiting it; that thread later reports to the event loop it came from. A test that makes
a connect fail waits for those threads while its loop is still open (otherwise pytest reports
"Event loop is closed" from the thread during some later test)."""

from __future__ import annotations

import asyncio
import threading


async def finish_worker_threads(before: set[threading.Thread]) -> None:
    """Wait for the aiosqlite worker threads started since `before` was taken to end."""
    for thread in set(threading.enumerate()) - before:
        if "_connection_worker_thread" in thread.name:
            await asyncio.to_thread(thread.join, 10)
    await asyncio.sleep(0)  # run the callbacks they scheduled
