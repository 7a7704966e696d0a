"""The client's own HTTP/1.1 transport against real loopback servers: connections kept and reused,
bounded, dropped once the server closes them; request and answer framing; httpx's exceptions for
timeouts and failures; TLS with the given context."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from bot.confluence import ConfluenceClient, DirectAuth
from bot.confluence.keepalive import KeepAliveTransport
from tests.fakes.confluence_fake import FakeConfluence
from tests.fakes.server import Connections, serve

Reply = Callable[[bytes, asyncio.StreamWriter], Awaitable[bool]]  # -> keep the connection


class RawServer:
    """An HTTP/1.1 server on loopback in this event loop, answering with `reply` (raw bytes),
    so a test chooses the framing and when connections close. Records each request's head and
    body and counts connections accepted."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.accepted = 0
        self.requests: list[tuple[bytes, bytes]] = []
        self.closed = asyncio.Event()  # a connection was closed by the server

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                self.requests.append((head, body))
                if not await self.reply(head, writer):
                    return
        finally:
            writer.close()
            self.closed.set()

    @contextlib.asynccontextmanager
    async def running(self, context: ssl.SSLContext | None = None) -> AsyncIterator[str]:
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=context)
        port = server.sockets[0].getsockname()[1]
        try:
            yield f"{'https' if context else 'http'}://127.0.0.1:{port}"
        finally:
            server.close()


def answer(body: bytes, *extra: bytes) -> bytes:
    head = [b"HTTP/1.1 200 OK", b"Content-Length: %d" % len(body), *extra]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def replying(*answers: bytes, keep: bool = True) -> Reply:
    """Answers given in turn (the last one repeated); the connection is closed after an answer
    that says `Connection: close`, and after each when `keep` is False."""
    queue = list(answers)

    async def reply(head: bytes, writer: asyncio.StreamWriter) -> bool:
        data = queue.pop(0) if len(queue) > 1 else queue[0]
        writer.write(data)
        await writer.drain()
        return keep and b"connection: close" not in data.lower()

    return reply


def client(max_connections: int = 5, **options: object) -> httpx.AsyncClient:
    transport = KeepAliveTransport(ssl.create_default_context(), max_connections)
    return httpx.AsyncClient(transport=transport, **options)  # type: ignore[arg-type]


async def settle() -> None:
    """Let the event loop deliver what the sockets already hold (no time passes)."""
    for _ in range(50):
        await asyncio.sleep(0)


async def test_one_connection_carries_request_after_request() -> None:
    server = RawServer(replying(answer(b"one"), answer(b"two"), answer(b"three")))
    async with server.running() as url, client() as http:
        bodies = [(await http.get(f"{url}/n/{n}")).content for n in range(3)]
    assert bodies == [b"one", b"two", b"three"]
    assert server.accepted == 1
    assert [head.split(b" ")[1] for head, _ in server.requests] == [b"/n/0", b"/n/1", b"/n/2"]


async def test_chunked_and_read_to_close_answers_are_read_whole() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    to_close = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end"
    server = RawServer(replying(chunked, to_close))
    async with server.running() as url, client() as http:
        first = await http.get(f"{url}/a")
        second = await http.get(f"{url}/b")
        third = await http.get(f"{url}/c")  # the server closed after the second: a new one
    assert (first.content, second.content, third.content) == (
        b"abcde",
        b"until the end",
        b"until the end",
    )
    assert server.accepted == 2


async def test_a_connection_closed_while_idle_is_not_reused() -> None:
    server = RawServer(replying(answer(b"ok"), keep=False))  # closes after each answer
    async with server.running() as url, client() as http:
        assert (await http.get(f"{url}/a")).content == b"ok"
        await server.closed.wait()
        await settle()
        assert (await http.get(f"{url}/b")).content == b"ok"
    assert server.accepted == 2


async def test_a_connection_idle_past_the_expiry_is_not_reused() -> None:
    server = RawServer(replying(answer(b"ok")))
    expiring = KeepAliveTransport(ssl.create_default_context(), 2, keepalive_expiry=0.0)
    async with server.running() as url, httpx.AsyncClient(transport=expiring) as http:
        for n in range(3):
            assert (await http.get(f"{url}/{n}")).content == b"ok"
    assert server.accepted == 3


async def test_request_bodies_are_framed_for_the_server() -> None:
    server = RawServer(replying(answer(b"{}", b"Content-Type: application/json")))
    async with server.running() as url, client() as http:
        await http.post(f"{url}/json", json={"title": "T"})
        await http.post(f"{url}/form", files={"file": ("a.txt", b"x" * 100_000, "text/plain")})
    (json_head, json_body), (form_head, form_body) = server.requests
    assert json_body == b'{"title":"T"}' and b"content-length: 13" in json_head.lower()
    assert b"multipart/form-data" in form_head and form_body.count(b"x" * 100_000) == 1


async def test_head_and_204_answers_have_no_body_and_keep_the_connection() -> None:
    server = RawServer(replying(b"HTTP/1.1 204 No Content\r\n\r\n", answer(b"after")))
    async with server.running() as url, client() as http:
        assert (await http.delete(f"{url}/x")).status_code == 204
        assert (await http.get(f"{url}/y")).content == b"after"
    assert server.accepted == 1


async def test_connections_never_exceed_the_bound() -> None:
    fake = FakeConfluence()
    fake.add_space("ENG", "Engineering")
    ids = [str(fake.add_page("ENG", f"Page {n}")["id"]) for n in range(12)]
    fake.delay(r"/pages/\d+$", 0.01)  # so requests overlap
    connections = Connections()
    with serve(fake.app, connections=connections) as url:
        auth = DirectAuth(site_url=url, email=fake.email, api_token=SecretStr(fake.api_token))
        async with ConfluenceClient(auth, requests_per_second=1e6, max_connections=3) as confluence:
            for _ in range(2):
                pages = await asyncio.gather(*(confluence.pages.get(i) for i in ids))
                assert [p.id for p in pages] == ids
    assert connections.opened == 3


async def test_a_held_connection_makes_others_wait_up_to_the_pool_timeout() -> None:
    server = RawServer(replying(answer(b"ok")))
    async with server.running() as url, client(1, timeout=httpx.Timeout(5, pool=0.05)) as http:
        async with http.stream("GET", f"{url}/held"):  # its body not read: the connection is busy
            with pytest.raises(httpx.PoolTimeout):
                await http.get(f"{url}/waits")
        assert (await http.get(f"{url}/then")).content == b"ok"
    assert server.accepted == 2  # the held answer was never read: its connection was closed


async def test_other_origins_idle_connections_make_room() -> None:
    first, second = RawServer(replying(answer(b"1"))), RawServer(replying(answer(b"2")))
    async with first.running() as one, second.running() as two, client(1) as http:
        assert (await http.get(f"{one}/")).content == b"1"
        assert (await http.get(f"{two}/")).content == b"2"
        assert (await http.get(f"{one}/")).content == b"1"
    assert (first.accepted, second.accepted) == (2, 1)


async def test_failures_are_httpx_exceptions() -> None:
    over = asyncio.Event()

    async def silent(head: bytes, writer: asyncio.StreamWriter) -> bool:
        await over.wait()  # no answer while the test runs
        return False

    async def hang_up(head: bytes, writer: asyncio.StreamWriter) -> bool:
        return False

    garbage = RawServer(replying(b"NOT HTTP AT ALL\r\n\r\n"))
    async with (
        RawServer(silent).running() as quiet,
        RawServer(hang_up).running() as rude,
        garbage.running() as broken,
        client(timeout=httpx.Timeout(5, read=0.05)) as http,
    ):
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"{quiet}/")
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(f"{rude}/")
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(f"{broken}/")
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{port}/")
        over.set()


# -- TLS ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Path]]:
    """A throwaway CA and a certificate for 127.0.0.1 it signed (skipped without openssl)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: the TLS tests need it to make a certificate")
    where = tmp_path_factory.mktemp("tls")
    (where / "ext").write_text("subjectAltName = IP:127.0.0.1\n")
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for command in (
        ["req", "-x509", *key, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=test-ca"],
        ["req", *key, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
        ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-set_serial", "1", "-days", "2", "-out", "server.pem", "-extfile", "ext"],
    ):  # fmt: skip
        subprocess.run(["openssl", *command], cwd=where, check=True, capture_output=True)
    yield where / "ca.pem", where / "server.pem", where / "server.key"


async def test_https_with_the_given_context_and_only_with_it(
    certificates: tuple[Path, Path, Path],
) -> None:
    ca, cert, key = certificates
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert, key)
    server = RawServer(replying(answer(b"secret")))
    trusting = KeepAliveTransport(ssl.create_default_context(cafile=str(ca)), 2)
    async with server.running(served) as url:
        async with httpx.AsyncClient(transport=trusting) as http:
            assert [(await http.get(f"{url}/{n}")).content for n in range(2)] == [b"secret"] * 2
        async with client() as untrusting:  # the system store does not know the test CA
            with pytest.raises(httpx.ConnectError):
                await untrusting.get(f"{url}/")
    assert server.accepted == 1  # one kept for both requests; the refused handshake never got in
