"""The client's own HTTP/1.1 transport: keep-alive connections on asyncio streams, framed by h11.

httpx's default transport (httpcore over anyio) spent 0.5-1 ms of CPU per request on the
development machine in pool bookkeeping, cancel scopes and stream wrappers: more than urllib's
whole request over a new loopback connection (bench/client_paging.py). This one does what the client needs, no more:
  * HTTP/1.1 only, through h11 (httpcore's own parser), which frames requests and answers
    (Content-Length, chunked, read-to-close, 1xx skipped, bodiless answers to HEAD/204/304);
  * at most `max_connections` open at once; idle ones kept for reuse, most recently used first,
    and never reused once the server closed them (checked before each reuse, as httpcore does)
    or after `keepalive_expiry` seconds idle (httpx's 5 s), which keeps clear of servers' own
    idle timeouts, where a request sent as the server closes would fail;
  * TLS with the given context (server name checked by it), for https origins only;
  * httpx's timeouts (connect, read, write, pool) and its exceptions, so retries and error
    mapping above it (http.py) are unchanged. No proxies: a client given a transport never
    read proxy variables anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import h11
import httpx

# Bytes asked of the socket per read, and the stream's buffer limit (reading pauses at twice it):
# a page of 250 list items is about 130 kB.
READ_SIZE = 256 * 1024
KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection may wait for its next request (httpx's default)

Origin = tuple[str, str, int]  # scheme, host, port


def _origin(url: httpx.URL) -> Origin:
    scheme = url.scheme
    port = url.port or (443 if scheme == "https" else 80)
    return scheme, url.host, port


class _Connection:
    """One TCP (or TLS) connection and the h11 state of the exchange on it."""

    __slots__ = ("h11", "idle_since", "origin", "reader", "writer")

    def __init__(
        self, origin: Origin, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.origin = origin
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(h11.CLIENT)
        self.idle_since = 0.0

    def reusable(self, now: float, expiry: float) -> bool:
        """Between exchanges, still open (the server has not closed its end), not idle too long."""
        return (
            self.h11.our_state is h11.IDLE
            and now - self.idle_since < expiry
            and not self.reader.at_eof()
            and not self.writer.is_closing()
        )

    def close(self) -> None:
        self.writer.close()


def _timeout(timeouts: dict[str, Any], name: str) -> float | None:
    value = timeouts.get(name)
    return None if value is None else float(value)


async def _next_event(connection: _Connection, read_timeout: float | None) -> Any:
    """The next h11 event of the answer, reading from the socket as h11 needs."""
    state = connection.h11
    while True:
        try:
            event = state.next_event()
        except h11.RemoteProtocolError as exc:
            raise httpx.RemoteProtocolError(str(exc)) from exc
        if event is not h11.NEED_DATA:
            return event
        try:
            async with asyncio.timeout(read_timeout):
                data = await connection.reader.read(READ_SIZE)
        except TimeoutError as exc:
            raise httpx.ReadTimeout("timed out reading the answer") from exc
        except OSError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
        if not data and state.their_state is h11.SEND_RESPONSE:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        state.receive_data(data)


async def _send(
    connection: _Connection, request: httpx.Request, write_timeout: float | None
) -> None:
    """The request line, headers and body, written and drained."""
    state, writer = connection.h11, connection.writer
    try:
        target = request.url.raw_path
        writer.write(
            state.send(
                h11.Request(method=request.method, target=target, headers=request.headers.raw)
            )
        )
        async with asyncio.timeout(write_timeout):
            async for chunk in request.stream:  # type: ignore[union-attr]
                if chunk:
                    writer.write(state.send(h11.Data(data=chunk)))
                    await writer.drain()
            writer.write(state.send(h11.EndOfMessage()))
            await writer.drain()
    except h11.LocalProtocolError as exc:
        raise httpx.LocalProtocolError(str(exc)) from exc
    except TimeoutError as exc:
        raise httpx.WriteTimeout("timed out sending the request") from exc
    except OSError as exc:
        raise httpx.WriteError(str(exc) or type(exc).__name__) from exc


async def _answer_head(connection: _Connection, read_timeout: float | None) -> h11.Response:
    """The answer's status line and headers (informational 1xx answers skipped)."""
    while True:
        event = await _next_event(connection, read_timeout)
        if isinstance(event, h11.Response):
            return event
        if not isinstance(event, h11.InformationalResponse):
            raise httpx.RemoteProtocolError(f"expected an answer, got {type(event).__name__}")


class _Body(httpx.AsyncByteStream):
    """An answer's body, read from its connection; the connection goes back to the pool once
    the body was read to its end, else it is closed."""

    def __init__(
        self, pool: KeepAliveTransport, connection: _Connection, read_timeout: float | None
    ) -> None:
        self._pool = pool
        self._connection: _Connection | None = connection
        self._read_timeout = read_timeout
        self._complete = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            raise httpx.StreamClosed()
        while True:
            event = await _next_event(connection, self._read_timeout)
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self._complete = True
                return
            else:
                raise httpx.RemoteProtocolError(f"unexpected {type(event).__name__} in a body")

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._pool._done(connection, reuse=self._complete)


class KeepAliveTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 with keep-alive over at most `max_connections` connections (see the module)."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        max_connections: int,
        *,
        keepalive_expiry: float = KEEPALIVE_EXPIRY,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self._ssl = ssl_context
        self._max = max_connections
        self._expiry = keepalive_expiry
        self._idle: list[_Connection] = []  # most recently used last
        self._open = 0  # connections open or opening: idle and busy
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._closed = False

    @property
    def open_connections(self) -> int:
        return self._open

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        origin = _origin(request.url)
        connection = await self._connection(origin, timeouts)
        try:
            await _send(connection, request, _timeout(timeouts, "write"))
            head = await _answer_head(connection, _timeout(timeouts, "read"))
        except BaseException:
            self._done(connection, reuse=False)
            raise
        return httpx.Response(
            head.status_code,
            headers=head.headers,
            stream=_Body(self, connection, _timeout(timeouts, "read")),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": bytes(head.reason)},
        )

    # -- the pool ------------------------------------------------------------------------------
    async def _connection(self, origin: Origin, timeouts: dict[str, Any]) -> _Connection:
        """An idle connection to `origin`, else a new one once there is room for it."""
        pool_timeout = _timeout(timeouts, "pool")
        while True:
            if (idle := self._take_idle(origin)) is not None:
                return idle
            if self._open < self._max:
                break
            if self._idle:  # full, partly with idle connections elsewhere: make room
                self._close(self._idle.pop(0))
                continue
            await self._wait_for_room(pool_timeout)
        self._open += 1
        try:
            return await self._connect(origin, _timeout(timeouts, "connect"))
        except BaseException:
            self._open -= 1
            self._wake()
            raise

    def _take_idle(self, origin: Origin) -> _Connection | None:
        idle = self._idle
        now = asyncio.get_running_loop().time()
        for index in range(len(idle) - 1, -1, -1):
            connection = idle[index]
            if connection.origin != origin:
                continue
            del idle[index]
            if connection.reusable(now, self._expiry):
                return connection
            self._close(connection)  # the server closed it, or it waited too long
        return None

    async def _wait_for_room(self, pool_timeout: float | None) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(pool_timeout):
                await waiter
        except TimeoutError as exc:
            raise httpx.PoolTimeout("no connection came free within the pool timeout") from exc
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)
            if waiter.done() and not waiter.cancelled() and self._waiters:
                self._wake()  # woken, then cancelled or timed out: pass the room on

    def _wake(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def _connect(self, origin: Origin, connect_timeout: float | None) -> _Connection:
        scheme, host, port = origin
        tls = self._ssl if scheme == "https" else None
        try:
            async with asyncio.timeout(connect_timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=tls, server_hostname=host if tls else None, limit=READ_SIZE
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"timed out connecting to {host}:{port}") from exc
        except OSError as exc:  # refused, unreachable, name unknown, TLS refused (ssl.SSLError)
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        return _Connection(origin, reader, writer)

    def _done(self, connection: _Connection, *, reuse: bool) -> None:
        """An exchange is over: keep the connection for the next when it can carry one."""
        state = connection.h11
        if (
            reuse
            and not self._closed
            and state.our_state is h11.DONE
            and state.their_state is h11.DONE
        ):
            state.start_next_cycle()
            connection.idle_since = asyncio.get_running_loop().time()
            self._idle.append(connection)
            self._wake()
        else:
            self._close(connection)

    def _close(self, connection: _Connection) -> None:
        connection.close()
        self._open -= 1
        self._wake()

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            self._close(connection)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5.0):
                await asyncio.gather(
                    *(c.writer.wait_closed() for c in idle), return_exceptions=True
                )
