"""Benchmark: list 5,000 pages of one space with our client vs a naive urllib loop; then 200
page fetches at once vs one after another.

Both talk to the in-memory Confluence/Maton fake (gateway mode) served by uvicorn on loopback.
The naive loop opens a new connection per request (urllib.request.urlopen) and follows
`_links.next`; ours keeps its connection alive and parses results into models. Both send the
same 21 requests (site discovery, then 20 pages of 250) and read the same bytes.

The fake's answers to the listing are replayed: the first time a request is seen (in an untimed
warm-up listing by each client) the fake works the answer out and it is kept; after that the
same request (path, query, credentials) gets the same status, headers and body from memory. The
fake filters all 5,000 pages by the caller's permissions, sorts them and finds the cursor on
every request, 12-25 ms of Python a page on the development machine: both sides waited for it,
so it timed the fake, not the clients, and pulled every ratio towards 1. `--fresh` has the fake
work out every answer, as before.

Scenarios (--runs interleaved runs, 7 by default: each run lists once with ours and once with
naive in every scenario, the order alternating, every client fresh per run; a speedup is the
median of the runs' naive/ours ratios, so load that drifts during the bench hits both sides):
  plain, RTT 0   raw loopback: no TLS, no latency: the clients' own work per request and page.
  TLS,   RTT 0   HTTPS with a throwaway CA made by the `openssl` CLI (skipped without it).
  plain/TLS, RTT N ms   through a local TCP proxy adding network latency: one RTT before a
                 new connection carries data (TCP handshake) and RTT/2 per chunk each way.
The goal refers to TLS + 20 ms RTT, which resembles the real Maton gateway (HTTPS over a
network, where every new connection pays TCP + TLS handshakes that keep-alive avoids).

Concurrent reads: 200 `pages.get` calls against a server that answers each after 20 ms, all
at once (asyncio.gather) and one after another; the server reports the most requests it had in
flight at once (the client's pool holds 20 connections).

The server (and the proxy) run in child processes so they do not share the clients' GIL
(--in-process: threads of this process instead). Besides wall time, each listing's CPU time in
this process is printed ('client CPU'): the clients' own work, little moved by other load on a
shared machine (the wall-time ratios are what the goals are about).

Run: .venv/bin/python bench/client_paging.py [--runs 7] [--limit 250] [--rtt-ms 0 20] [--no-tls]
                                             [--small-limit 25] [--limiter] [--in-process]
                                             [--no-concurrency] [--fresh]
Goals: ours at least as fast as naive on raw loopback, and at least 2x faster with TLS + 20 ms
RTT (limiter disabled): the lines `loopback speedup vs urllib: R` and `tls+20ms speedup vs
urllib: R`. Exit status is non-zero when a run did not list exactly 5,000 unique ids.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import uvicorn
from pydantic import SecretStr

from bot.confluence import ConfluenceClient, GatewayAuth
from bot.confluence.transport import MAX_CONNECTIONS, pooled_transport
from tests.fakes.confluence_fake import FakeConfluence

HOST = "127.0.0.1"
PAGES = 5_000
RUNS = 7
UNLIMITED_RATE = 1e9  # the limiter never waits: measures the client itself
MATON_RATE = 10.0  # the real per-key rate, for information
GOAL_RATIO = 2.0
GOAL_RTT_MS = 20.0
CHUNK = 65_536
QUEUE_CHUNKS = 256  # per direction and connection: bounds what the proxy holds in memory
STARTUP_TIMEOUT = 60.0
FETCHES = 200  # concurrent reads: page fetches at once
FETCH_DELAY = 0.020  # seconds the slow server waits before each answer


@dataclass
class Run:
    seconds: float
    requests: int
    server_seconds: float
    ids: list[str]
    cpu_seconds: float  # CPU time of this (the client's) process: little moved by other load


@dataclass
class Figures:
    label: str
    runs: list[Run]

    @property
    def best(self) -> float:
        return min(r.seconds for r in self.runs)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu_median(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def server_best(self) -> float:
        """Time the fake's app spent handling the best run's requests."""
        return min(self.runs, key=lambda r: r.seconds).server_seconds

    @property
    def requests(self) -> int:
        return self.runs[0].requests


class Counters:
    """Requests served and seconds spent inside the fake's app, shared with a server process;
    and the slow server's requests in flight (now and the most since the last reset)."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._requests = ctx.Value("q", 0)
        self._seconds = ctx.Value("d", 0.0)
        self._in_flight = ctx.Value("q", 0)
        self._most_in_flight = ctx.Value("q", 0)

    def enter(self) -> None:
        with self._in_flight.get_lock():
            self._in_flight.value += 1
            self._most_in_flight.value = max(self._most_in_flight.value, self._in_flight.value)

    def leave(self) -> None:
        with self._in_flight.get_lock():
            self._in_flight.value -= 1

    def most_in_flight(self, *, reset: bool = False) -> int:
        with self._in_flight.get_lock():
            most = int(self._most_in_flight.value)
            if reset:
                self._most_in_flight.value = 0
            return most

    def count(self) -> None:
        with self._requests.get_lock():
            self._requests.value += 1

    def add(self, seconds: float) -> None:
        with self._seconds.get_lock():
            self._seconds.value += seconds

    def read(self) -> tuple[int, float]:
        return self._requests.value, self._seconds.value


class TimedApp:
    """ASGI wrapper counting requests and the time the fake spends handling them."""

    def __init__(self, app: Any, counters: Counters) -> None:
        self.app = app
        self.counters = counters

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            # Counted on arrival: the client may read the counters before `finally` runs.
            self.counters.count()
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http":
                self.counters.add(time.perf_counter() - start)


class SlowApp:
    """ASGI wrapper answering each request FETCH_DELAY late (a slow Confluence), counting
    the requests in flight."""

    def __init__(self, app: Any, counters: Counters) -> None:
        self.app = app
        self.counters = counters

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.counters.enter()
        try:
            await asyncio.sleep(FETCH_DELAY)
            await self.app(scope, receive, send)
        finally:
            self.counters.leave()


class ReplayApp:
    """ASGI wrapper answering a GET it answered before (same path, query and credentials) with
    the same status, headers and body, without asking the fake again.

    The fake filters its 5,000 pages by the caller's permissions, sorts them and finds the
    cursor for every request: 12-25 ms of Python per page of 250 on this machine, which both
    clients would wait for and which would time the fake, not them. The listing is read-only,
    so its answers never change; the warm-up listing fills this before any run is timed."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.answers: dict[tuple[Any, ...], list[Any]] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = (
            scope["path"],
            scope["query_string"],
            headers.get(b"authorization"),
            headers.get(b"maton-connection"),
        )
        if (answer := self.answers.get(key)) is not None:
            for message in answer:
                await send(message)
            return
        recorded: list[Any] = []

        async def record(message: Any) -> None:
            recorded.append(message)
            await send(message)

        await self.app(scope, receive, record)
        self.answers[key] = recorded


def seed(pages: int) -> tuple[FakeConfluence, str]:
    fake = FakeConfluence()
    space = fake.add_space("BENCH", "Benchmark")
    for n in range(pages):
        fake.add_page("BENCH", f"Page {n:05d}")
    return fake, str(space["id"])


# -- certificates -------------------------------------------------------------------------------


@dataclass
class Certs:
    ca: str
    cert: str
    key: str


_SERVER_EXTENSIONS = """\
subjectAltName = IP:127.0.0.1, DNS:localhost
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def make_certs(directory: Path) -> Certs | None:
    """A throwaway CA and a server certificate for 127.0.0.1/localhost; None without openssl."""
    # ECDSA P-256: the cheapest common handshake, so TLS costs naive as little as it can.
    ext = directory / "server.ext"
    ext.write_text(_SERVER_EXTENSIONS)
    key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    commands = [
        f"req -x509 {key} -keyout ca.key -out ca.pem -days 2 -subj /CN=client-paging-bench-CA"
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign",
        f"req {key} -keyout server.key -out server.csr -subj /CN=127.0.0.1",
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 1 -days 2"
        f" -out server.pem -extfile {ext.name}",
    ]
    for command in commands:
        try:
            done = subprocess.run(
                ["openssl", *command.split()],
                cwd=directory,
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            print(f"TLS scenarios skipped: cannot run openssl ({error})")
            return None
        if done.returncode != 0:
            print(
                f"TLS scenarios skipped: openssl {command.split()[0]} failed: {done.stderr.strip()}"
            )
            return None
    return Certs(
        str(directory / "ca.pem"), str(directory / "server.pem"), str(directory / "server.key")
    )


# -- background services (child process or thread) ----------------------------------------------


async def _wait_for_stop(pipe: Any) -> None:
    with contextlib.suppress(EOFError, OSError):
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)


async def _serve_fake(pipe: Any, counters: Counters, certs: Certs | None, fresh: bool) -> None:
    """Serve one seeded fake over plain HTTP, with certs HTTPS, and plain HTTP answering
    FETCH_DELAY late ("slow"); send the ports; serve."""
    fake, space_id = seed(PAGES)
    timed = TimedApp(fake.app if fresh else ReplayApp(fake.app), counters)
    options: dict[str, tuple[Any, dict[str, Any]]] = {
        "http": (timed, {}),
        "slow": (SlowApp(fake.app, counters), {}),
    }
    if certs is not None:
        options["https"] = (timed, {"ssl_certfile": certs.cert, "ssl_keyfile": certs.key})
    servers = {
        scheme: uvicorn.Server(
            uvicorn.Config(app, host=HOST, port=0, log_level="warning", lifespan="off", **extra)
        )
        for scheme, (app, extra) in options.items()
    }
    tasks = []
    for server in servers.values():
        server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
        tasks.append(asyncio.create_task(server.serve()))
    async with asyncio.timeout(STARTUP_TIMEOUT):
        while not all(server.started for server in servers.values()):
            for task in tasks:
                if task.done():
                    task.result()
                    raise RuntimeError("fake server stopped before starting")
            await asyncio.sleep(0.01)
    ports = {s: server.servers[0].sockets[0].getsockname()[1] for s, server in servers.items()}
    pipe.send((ports, fake.api_key, space_id))
    await _wait_for_stop(pipe)
    for server in servers.values():
        server.should_exit = True
    await asyncio.gather(*tasks)


def _fake_main(pipe: Any, counters: Counters, certs: Certs | None, fresh: bool) -> None:
    asyncio.run(_serve_fake(pipe, counters, certs, fresh))


async def _pump(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float, not_before: float
) -> None:
    """Copy one direction, each chunk (and the EOF) delivered `delay` after it could be sent."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(maxsize=QUEUE_CHUNKS)

    async def deliver() -> None:
        while True:
            due, chunk = await queue.get()
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            if not chunk:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(chunk)
            await writer.drain()

    async with asyncio.TaskGroup() as group:
        group.create_task(deliver())
        while True:
            chunk = await reader.read(CHUNK)
            await queue.put((max(loop.time(), not_before) + delay, chunk))
            if not chunk:
                break


class LatencyProxy:
    """TCP proxy on 127.0.0.1 in front of `upstream_port` that emulates a network round trip.

    The client's connect() succeeds at once on loopback, so the handshake is charged to the
    data instead: nothing the client sends leaves before one RTT after accept (when a real
    client would learn the connection is up), then every chunk takes RTT/2 each way. A
    request on a new connection thus costs 2 RTT, plus 1 RTT for a TLS 1.3 handshake.
    """

    def __init__(self, upstream_port: int, rtt: float) -> None:
        self.upstream_port = upstream_port
        self.rtt = rtt
        self.connections: set[asyncio.Task[Any]] = set()

    async def start(self) -> asyncio.Server:
        return await asyncio.start_server(self._handle, HOST, 0)

    async def _handle(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        established = asyncio.get_running_loop().time() + self.rtt
        task = asyncio.current_task()
        assert task is not None
        self.connections.add(task)
        task.add_done_callback(self.connections.discard)
        try:
            server_in, server_out = await asyncio.open_connection(HOST, self.upstream_port)
        except OSError:
            client_out.close()
            return
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(_pump(client_in, server_out, self.rtt / 2, established))
                group.create_task(_pump(server_in, client_out, self.rtt / 2, 0.0))
        except* (ConnectionError, OSError):
            pass  # a side closed hard: drop the connection, as a network would
        finally:
            client_out.close()
            server_out.close()


async def _serve_proxies(pipe: Any, routes: list[tuple[int, float]]) -> None:
    """One listening proxy per (upstream port, RTT seconds); send their ports; serve."""
    proxies = [LatencyProxy(port, rtt) for port, rtt in routes]
    servers = [await proxy.start() for proxy in proxies]
    pipe.send([server.sockets[0].getsockname()[1] for server in servers])
    await _wait_for_stop(pipe)
    for server in servers:
        server.close()
    # Let the last closes travel through (a few RTTs) rather than cancel them mid-flight.
    if pending := {task for proxy in proxies for task in proxy.connections}:
        await asyncio.wait(pending, timeout=2.0)


def _proxy_main(pipe: Any, routes: list[tuple[int, float]]) -> None:
    asyncio.run(_serve_proxies(pipe, routes))


@contextlib.contextmanager
def background(target: Callable[..., None], *args: Any, in_process: bool) -> Iterator[Any]:
    """Run `target(pipe, *args)` as a service; yield the first thing it sends; stop it after."""
    ctx = multiprocessing.get_context("spawn")
    ours_end, theirs_end = ctx.Pipe()
    worker: threading.Thread | multiprocessing.process.BaseProcess
    if in_process:
        worker = threading.Thread(target=target, args=(theirs_end, *args), daemon=True)
    else:
        worker = ctx.Process(target=target, args=(theirs_end, *args), daemon=True)
    worker.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not ours_end.poll(0.1):
            if not worker.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{target.__name__} did not start")
        yield ours_end.recv()
    finally:
        with contextlib.suppress(OSError):
            ours_end.send("stop")
        worker.join(15)
        if isinstance(worker, multiprocessing.process.BaseProcess) and worker.is_alive():
            worker.terminate()


# -- the two clients ----------------------------------------------------------------------------

Timed = tuple[list[str], float, float]  # ids, wall seconds, CPU seconds of this process


async def _ours(
    url: str, api_key: str, space_id: str, limit: int, rate: float, ca: str | None
) -> Timed:
    auth = GatewayAuth(api_key=SecretStr(api_key), api_url=url, ctrl_url=url)
    transport = None
    if ca is not None:
        # The transport the client builds for itself, trusting the bench's CA instead of the
        # system store.
        transport = pooled_transport(ssl.create_default_context(cafile=ca), MAX_CONNECTIONS)
    # Built before the clock starts: production builds one client per process. Site discovery
    # and opening the connection (TCP + TLS handshakes) are timed.
    async with ConfluenceClient(auth, transport=transport, requests_per_second=rate) as client:
        start, cpu = time.perf_counter(), time.process_time()
        # The request naive sends (GET /spaces/{id}/pages): the fake answers the other way to
        # list a space, /pages?space-id=, some 10 % slower, which would time the fake.
        ids = [page.id async for page in client.pages.in_space(space_id, limit=limit)]
        return ids, time.perf_counter() - start, time.process_time() - cpu


def ours(url: str, api_key: str, space_id: str, limit: int, rate: float, ca: str | None) -> Timed:
    """Our client, fresh each run (pool and site cache empty), in its own event loop."""
    return asyncio.run(_ours(url, api_key, space_id, limit, rate, ca))


def naive(url: str, api_key: str, space_id: str, limit: int, ca: str | None) -> Timed:
    """The recipe: urlopen per request (new connection each time), follow `_links.next`."""
    start, cpu = time.perf_counter(), time.process_time()
    headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}

    def get(target: str) -> Any:
        request = urllib.request.Request(target, headers=headers)
        # Like urlopen without a context, a fresh SSL context per request (it loads the system
        # store, which costs more than our one CA: this favours naive).
        context = None if ca is None else ssl.create_default_context(cafile=ca)
        with urllib.request.urlopen(request, timeout=30, context=context) as response:
            return json.loads(response.read())

    cloud_id = get(f"{url}/confluence/oauth/token/accessible-resources")[0]["id"]
    prefix = f"{url}/confluence/ex/confluence/{cloud_id}"
    link: str | None = f"/wiki/api/v2/spaces/{space_id}/pages?limit={limit}"
    ids: list[str] = []
    while link:
        payload = get(prefix + link)
        ids.extend(str(item["id"]) for item in payload["results"])
        link = payload.get("_links", {}).get("next")
    return ids, time.perf_counter() - start, time.process_time() - cpu


# -- measuring and reporting --------------------------------------------------------------------


@dataclass
class Scenario:
    tls: bool
    rtt_ms: float
    url: str

    @property
    def name(self) -> str:
        return f"{'TLS' if self.tls else 'plain'}, RTT {self.rtt_ms:g} ms"

    @property
    def is_goal(self) -> bool:
        return self.tls and self.rtt_ms == GOAL_RTT_MS

    @property
    def is_loopback(self) -> bool:
        return not self.tls and self.rtt_ms == 0

    def floor(self, requests: int, *, keep_alive: bool) -> float:
        """Seconds the round trips alone cost: a new connection 1 RTT (TCP) + 1 (TLS 1.3)."""
        rtt = self.rtt_ms / 1000
        handshake = rtt * (2 if self.tls else 1)
        connections = 1 if keep_alive else requests
        return connections * handshake + requests * rtt


@dataclass
class Result:
    scenario: Scenario
    ours: Figures
    naive: Figures
    limited: Figures | None = None

    @property
    def ratio(self) -> float:
        return self.naive.best / self.ours.best

    @property
    def speedup(self) -> float:
        """The median of the runs' naive/ours ratios (each run's two listings ran back to back)."""
        return statistics.median(
            n.seconds / o.seconds for o, n in zip(self.ours.runs, self.naive.runs, strict=True)
        )


def timed_run(counters: Counters, call: Callable[[], Timed]) -> Run:
    requests, seconds = counters.read()
    ids, elapsed, cpu = call()
    after_requests, after_seconds = counters.read()
    return Run(elapsed, after_requests - requests, after_seconds - seconds, ids, cpu)


def check(figures: Figures) -> list[str]:
    problems = []
    for n, run in enumerate(figures.runs, 1):
        unique = len(set(run.ids))
        if len(run.ids) != PAGES or unique != PAGES:
            problems.append(
                f"{figures.label} run {n}: {len(run.ids)} ids, {unique} unique (want {PAGES})"
            )
    return problems


def run_scenarios(
    scenarios: list[Scenario],
    counters: Counters,
    api_key: str,
    space_id: str,
    limit: int,
    *,
    runs: int,
    ca: str | None,
    limiter: bool,
) -> list[Result]:
    """`runs` rounds; each round lists once with ours and once with naive in every scenario,
    the two in alternating order, so the load of the machine at that moment hits both."""
    results = []
    for s in scenarios:
        label = f"{s.name}, limit={limit}"
        result = Result(s, Figures(f"ours ({label})", []), Figures(f"naive ({label})", []))
        if limiter and s.is_goal:
            result.limited = Figures(f"ours, {MATON_RATE:g} req/s ({label})", [])
        results.append(result)
    # Untimed warm-up, once each: fills the replayed answers (and imports what either side
    # imports lazily), so no timed run pays for what only the first would.
    first = scenarios[0]
    warm_ca = ca if first.tls else None
    ours(first.url, api_key, space_id, limit, UNLIMITED_RATE, warm_ca)
    naive(first.url, api_key, space_id, limit, warm_ca)
    for n in range(runs):
        for r in results:
            url, tls_ca = r.scenario.url, ca if r.scenario.tls else None
            args = (url, api_key, space_id, limit)
            sides: list[tuple[Figures, Callable[[], Timed]]] = [
                (r.ours, partial(ours, *args, UNLIMITED_RATE, tls_ca)),
                (r.naive, partial(naive, *args, tls_ca)),
            ]
            if n % 2:
                sides.reverse()
            if r.limited is not None:
                sides.append((r.limited, partial(ours, *args, MATON_RATE, tls_ca)))
            for figures, call in sides:
                figures.runs.append(timed_run(counters, call))
    return results


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def pair(ours: float, naive: float) -> str:
    return f"{ms(ours)}/{ms(naive)}"


# Column header lines and widths; the first column is left-aligned.
COLUMNS = [
    ("scenario", "", 17),
    ("ours best", "", 9),
    ("median", "", 8),
    ("naive best", "", 10),
    ("median", "", 8),
    ("requests", "ours/naive", 10),
    ("naive/ours", "best", 10),
    ("naive/ours", "run median", 10),
    ("fake app ms", "ours/naive", 13),
    ("client CPU ms", "ours/naive", 13),
    ("RTT floor ms", "ours/naive", 13),
]


def row(cells: list[str]) -> str:
    first, *rest = zip(cells, COLUMNS, strict=True)
    return "  " + first[0].ljust(first[1][2]) + "".join(c.rjust(w + 2) for c, (*_, w) in rest)


def show(results: list[Result], limit: int, runs: int) -> None:
    print(f"\nlimit={limit}: {PAGES} pages, {runs} interleaved runs, wall ms")
    print(row([top for top, _, _ in COLUMNS]))
    print(row([bottom for _, bottom, _ in COLUMNS]))
    for r in results:
        s = r.scenario
        floors = (
            s.floor(r.ours.requests, keep_alive=True),
            s.floor(r.naive.requests, keep_alive=False),
        )
        cells = [
            s.name,
            ms(r.ours.best),
            ms(r.ours.median),
            ms(r.naive.best),
            ms(r.naive.median),
            f"{r.ours.requests}/{r.naive.requests}",
            f"{r.ratio:.2f}x",
            f"{r.speedup:.2f}x",
            pair(r.ours.server_best, r.naive.server_best),
            pair(r.ours.cpu_median, r.naive.cpu_median),
            pair(*floors),
        ]
        print(row(cells) + ("  <- goal" if s.is_goal or s.is_loopback else ""))
        if r.limited is not None:
            print(
                f"  {f'ours @ {MATON_RATE:g} req/s':<17}  {ms(r.limited.best):>9}  "
                f"{ms(r.limited.median):>8}  (the real Maton quota, for information)"
            )


def summarize(results: list[Result], limit: int, runs: int) -> None:
    """The two goal lines: naive's time divided by ours, the median of the interleaved runs."""
    goals = [
        (
            "loopback",
            "plain, RTT 0",
            1.0,
            next((r for r in results if r.scenario.is_loopback), None),
        ),
        (
            f"tls+{GOAL_RTT_MS:g}ms",
            f"TLS, RTT {GOAL_RTT_MS:g} ms (like the real gateway: HTTPS over a network)",
            GOAL_RATIO,
            next((r for r in results if r.scenario.is_goal), None),
        ),
    ]
    print(f"\nspeedups at limit={limit} (urllib's time / ours, median of {runs} interleaved runs):")
    for key, where, goal, result in goals:
        if result is None:
            print(f"{key} speedup vs urllib: not measured ({where} was not run)")
            continue
        verdict = "PASS" if result.speedup >= goal else "FAIL"
        print(
            f"{key} speedup vs urllib: {result.speedup:.2f}  ({where}; goal >= {goal:g}: {verdict})"
        )


# -- concurrent reads -----------------------------------------------------------------------------


async def _fetch_times(url: str, api_key: str, space_id: str) -> tuple[float, float]:
    """FETCHES page fetches at once, then the same one after another (one client, warmed up)."""
    auth = GatewayAuth(api_key=SecretStr(api_key), api_url=url, ctrl_url=url)
    async with ConfluenceClient(auth, requests_per_second=UNLIMITED_RATE) as client:
        ids = [p.id for p in (await client.pages.in_space(space_id, limit=FETCHES).page()).items]
        start = time.perf_counter()
        pages = await asyncio.gather(*(client.pages.get(page_id) for page_id in ids))
        concurrent = time.perf_counter() - start
        start = time.perf_counter()
        for page_id in ids:
            pages.append(await client.pages.get(page_id))
        sequential = time.perf_counter() - start
    if len(pages) != 2 * FETCHES:
        raise RuntimeError(f"fetched {len(pages)} pages, want {2 * FETCHES}")
    return concurrent, sequential


def construction(runs: int) -> None:
    """Building our client (no request): production builds one per process, tests many."""
    auth = {
        scheme: GatewayAuth(api_key=SecretStr("k"), api_url=f"{scheme}://{HOST}:9", ctrl_url=None)
        for scheme in ("http", "https")
    }
    times: dict[str, list[float]] = {scheme: [] for scheme in auth}
    for _ in range(runs):
        for scheme, a in auth.items():
            start = time.perf_counter()
            client = ConfluenceClient(a)
            times[scheme].append(time.perf_counter() - start)
            asyncio.run(client.aclose())
    print(
        "\nbuilding the client (median of "
        f"{runs}): plain-http base {ms(statistics.median(times['http']))} ms, "
        f"https base {ms(statistics.median(times['https']))} ms"
    )


def concurrency(url: str, api_key: str, space_id: str, counters: Counters, runs: int) -> None:
    concurrent, sequential, most = [], [], 0
    for _ in range(runs):
        counters.most_in_flight(reset=True)
        at_once, one_by_one = asyncio.run(_fetch_times(url, api_key, space_id))
        most = max(most, counters.most_in_flight())
        concurrent.append(at_once)
        sequential.append(one_by_one)
    print(
        f"\nconcurrent reads: {FETCHES} page fetches, {FETCH_DELAY * 1000:g} ms per response, "
        f"median of {runs} runs"
    )
    print(f"concurrent {FETCHES} fetches: {statistics.median(concurrent):.3f} s")
    print(f"sequential {FETCHES} fetches: {statistics.median(sequential):.3f} s")
    print(f"most requests the server had in flight at once: {most}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=250, help="page size (default 250)")
    parser.add_argument(
        "--runs", type=int, default=RUNS, help=f"interleaved runs (default {RUNS}, at least 1)"
    )
    parser.add_argument(
        "--rtt-ms",
        type=float,
        nargs="+",
        default=[0.0, GOAL_RTT_MS],
        help=f"emulated round trips, ms (default: 0 {GOAL_RTT_MS:g}); 0 = direct, no proxy",
    )
    parser.add_argument("--no-tls", action="store_true", help="skip the TLS scenarios")
    parser.add_argument(
        "--small-limit",
        type=int,
        default=None,
        help="also run every scenario at this smaller page size (opt-in, slow with RTT)",
    )
    parser.add_argument(
        "--limiter",
        action="store_true",
        help=f"also time ours with the real {MATON_RATE:g} req/s limiter in the goal scenario",
    )
    parser.add_argument(
        "--no-concurrency", action="store_true", help="skip the concurrent-reads figures"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="the fake works out every answer (default: the listing's answers are replayed)",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run the fake and the proxy as threads of this process (they share the GIL)",
    )
    args = parser.parse_args()
    rtts = sorted({max(0.0, rtt) for rtt in args.rtt_ms})
    runs = max(1, args.runs)

    print(
        f"ours uses requests_per_second={UNLIMITED_RATE:g} (the default {MATON_RATE:g} req/s "
        "would measure Maton's quota, not the client).\n"
        f"fake server and proxy: {'threads of this process' if args.in_process else 'child processes'}; "
        "RTT > 0 goes through a local proxy (1 RTT per new connection, RTT/2 per chunk each way).\n"
        "fake answers: "
        + (
            "worked out for every request (--fresh).\n"
            if args.fresh
            else "the listing's replayed from memory after an untimed warm-up (--fresh: "
            "worked out each time, 12-25 ms of the fake's own work a page).\n"
        )
        + "'fake app' = time spent inside the fake's handlers in the best run; 'client CPU' = "
        "CPU time of this process during a listing (median; little moved by other load); 'RTT "
        "floor' = what the round trips alone cost (new connection: 1 RTT TCP + 1 RTT TLS 1.3)."
    )
    with tempfile.TemporaryDirectory(prefix="client_paging-") as tmp:
        certs = None if args.no_tls else make_certs(Path(tmp))
        counters = Counters()
        start = time.perf_counter()
        with background(
            _fake_main, counters, certs, args.fresh, in_process=args.in_process
        ) as started:
            ports, api_key, space_id = started
            schemes = [scheme for scheme in ("http", "https") if scheme in ports]
            routes = [(ports[scheme], rtt / 1000) for rtt in rtts if rtt > 0 for scheme in schemes]
            with background(_proxy_main, routes, in_process=args.in_process) as proxy_ports:
                print(
                    f"seeded {PAGES} pages, started server + proxy in {time.perf_counter() - start:.2f} s"
                )
                proxied = iter(proxy_ports)
                scenarios = []
                for rtt in rtts:
                    for scheme in schemes:
                        port = next(proxied) if rtt > 0 else ports[scheme]
                        scenarios.append(
                            Scenario(scheme == "https", rtt, f"{scheme}://{HOST}:{port}")
                        )
                problems: list[str] = []
                for limit in [args.limit] + ([args.small_limit] if args.small_limit else []):
                    results = run_scenarios(
                        scenarios,
                        counters,
                        api_key,
                        space_id,
                        limit,
                        runs=runs,
                        ca=certs.ca if certs else None,
                        limiter=args.limiter,
                    )
                    show(results, limit, runs)
                    summarize(results, limit, runs)
                    for r in results:
                        for figures in (r.ours, r.naive, r.limited):
                            if figures is not None:
                                problems += check(figures)
                construction(runs)
                if not args.no_concurrency:
                    slow = f"http://{HOST}:{ports['slow']}"
                    concurrency(slow, api_key, space_id, counters, runs)
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
