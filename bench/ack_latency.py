"""Benchmark: how fast `confluence-bot serve` acks slash commands while Confluence is slow.

The Confluence and Slack fakes run in this process on loopback sockets; Confluence answers
search only after 5 s. The bot runs as a subprocess (`python -m bot serve`) pointed at them.
20 signed `/confluence search kubernetes` commands are sent at once; each ack must come back
well inside Slack's 3 s window while the search itself finishes in the background and posts
its answer to the command's response_url.

The goals are judged on that first burst against a fresh server. For reading the figures, two
more bursts follow: the same 20 commands again (warm server) and 20 commands with a wrong
signature (401 right after the signature check: HTTP, client and verification cost only).

Run: .venv/bin/python bench/ack_latency.py
Goals: ack p99 < 250 ms, no ack over 3 s, 20/20 answers, idle RSS < 120 MB.
Exit status is non-zero only when the run itself broke (server did not start, unexpected ack
statuses), not when a goal is missed.
"""

from __future__ import annotations

import asyncio
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from tests.fakes.confluence_fake import FakeConfluence  # noqa: E402
from tests.fakes.server import serve  # noqa: E402
from tests.fakes.slack_fake import FakeSlack  # noqa: E402
from tests.fakes.slack_signing import signed_headers, slash_command_body  # noqa: E402

COMMANDS = 20
QUERY = "kubernetes"
SEARCH_DELAY = 5.0
STARTUP_TIMEOUT = 60.0
ANSWER_TIMEOUT = 30.0
ACK_TIMEOUT = 10.0
SETTLE_SECONDS = 1.0  # let startup garbage settle before reading idle RSS
SHUTDOWN_TIMEOUT = 20.0
POLL = 0.05
FORM = "application/x-www-form-urlencoded"
LOG_TAIL_LINES = 40

GOAL_P99_MS = 250.0
SLACK_ACK_LIMIT_MS = 3000.0
GOAL_RSS_MB = 120.0


class BenchError(Exception):
    """The run itself broke: no figures worth trusting."""


@dataclass
class Ack:
    seconds: float
    status: int | None
    detail: str  # start of the response body, or the transport error


@dataclass
class Round:
    """One burst of concurrent requests: ack latencies, statuses, and the answers they await."""

    label: str
    acks: list[Ack]
    seconds: float
    answer_ids: set[str] = field(default_factory=set)

    @property
    def ms(self) -> list[float]:
        return [a.seconds * 1000 for a in self.acks]

    def p(self, q: float) -> float:
        return percentile(self.ms, q)

    def summary(self) -> str:
        counts = sorted(Counter(str(a.status) for a in self.acks).items())
        statuses = ", ".join(f"{status}: {n}" for status, n in counts)
        return (
            f"p50 {self.p(50):6.1f} ms, p99 {self.p(99):6.1f} ms, max {max(self.ms):6.1f} ms "
            f"(statuses {statuses})"
        )


def seed_confluence() -> FakeConfluence:
    fake = FakeConfluence()
    fake.add_space("OPS", "Operations")
    for title in (
        "Kubernetes upgrade runbook",
        "Kubernetes on-call guide",
        "Deploying to Kubernetes",
        "Kubernetes network policies",
        "Kubernetes cost report",
        "Kubernetes cluster inventory",
        "Lunch menu",
    ):
        fake.add_page("OPS", title, f"<p>{title}: notes about our kubernetes setup.</p>")
    fake.delay(r"/search$", SEARCH_DELAY)
    return fake


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(
    confluence: FakeConfluence,
    conf_url: str,
    slack: FakeSlack,
    slack_url: str,
    secret: str,
    db_path: Path,
) -> dict[str, str]:
    # A clean environment: nothing from the caller's shell (or its Confluence settings) leaks in.
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(
        PYTHONPATH=str(REPO),
        PYTHONUNBUFFERED="1",
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=secret,
        SLACK_API_URL=f"{slack_url}/api/",
        MATON_API_KEY=confluence.api_key,
        MATON_API_URL=conf_url,
        MATON_CTRL_URL=conf_url,
        DATABASE_URL=f"sqlite:///{db_path}",
        LOG_LEVEL="INFO",
    )
    return env


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB, from /proc."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024  # kB
    return fields["VmRSS"], fields["VmHWM"]


def wait_healthy(proc: subprocess.Popen[bytes], base: str) -> float:
    start = time.monotonic()
    deadline = start + STARTUP_TIMEOUT
    last = "no answer yet"
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise BenchError(f"serve exited with status {proc.returncode} during startup")
            try:
                response = client.get(f"{base}/healthz")
                if response.status_code == 200:
                    return time.monotonic() - start
                last = f"HTTP {response.status_code}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(0.1)
    raise BenchError(f"GET /healthz not 200 after {STARTUP_TIMEOUT:g} s ({last})")


async def _burst(base: str, requests: list[tuple[bytes, dict[str, str]]]) -> list[Ack]:
    async def one(client: httpx.AsyncClient, body: bytes, headers: dict[str, str]) -> Ack:
        start = time.perf_counter()
        try:
            response = await client.post(f"{base}/slack/events", content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Ack(time.perf_counter() - start, None, f"{type(exc).__name__}: {exc}")
        return Ack(time.perf_counter() - start, response.status_code, response.text[:200])

    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=len(requests))
    async with httpx.AsyncClient(timeout=ACK_TIMEOUT, limits=limits) as client:
        return list(await asyncio.gather(*(one(client, b, h) for b, h in requests)))


def search_round(label: str, base: str, secret: str, slack: FakeSlack, slack_url: str) -> Round:
    """COMMANDS signed `/confluence search` commands at once, each with its own response_url."""
    requests = []
    ids = set()
    for n in range(1, COMMANDS + 1):
        response_url = slack.new_response_url(slack_url)
        ids.add(response_url.rsplit("/", 1)[1])
        body = slash_command_body(
            f"search {QUERY}",
            user_id=f"U{n:04d}",
            response_url=response_url,
            trigger_id=f"{n}.{secrets.randbelow(10**12)}.{secrets.token_hex(8)}",
        )
        requests.append((body, signed_headers(body, secret, FORM)))
    start = time.monotonic()
    acks = asyncio.run(_burst(base, requests))
    return Round(label, acks, time.monotonic() - start, ids)


def floor_round(base: str) -> Round:
    """The same burst with a wrong signature: Bolt answers 401 right after checking it, so
    this is the cost of HTTP, this process's client and the signature check alone."""
    body = slash_command_body(f"search {QUERY}")
    requests = [(body, signed_headers(body, "not-the-secret", FORM)) for _ in range(COMMANDS)]
    start = time.monotonic()
    acks = asyncio.run(_burst(base, requests))
    return Round("floor", acks, time.monotonic() - start)


def wait_answers(slack: FakeSlack, ids: set[str], proc: subprocess.Popen[bytes]) -> float:
    """Seconds until every id got a response_url post (or ANSWER_TIMEOUT, or serve died)."""
    start = time.monotonic()
    deadline = start + ANSWER_TIMEOUT
    while time.monotonic() < deadline and proc.poll() is None:
        if ids <= {r["id"] for r in list(slack.responses)}:
            break
        time.sleep(POLL)
    return time.monotonic() - start


def answers(slack: FakeSlack, ids: set[str]) -> list[dict[str, object]]:
    """Bodies posted to these response_urls (a listener may post more than once per id)."""
    return [r["body"] for r in list(slack.responses) if r["id"] in ids]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p99 of 20 samples is the largest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def log_tail(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        return f"(no server log: {exc})"
    # The 401 floor burst makes Bolt log each refused body; those lines are our own doing.
    lines = [line for line in lines if "Invalid request signature detected" not in line]
    return "\n".join(lines[-LOG_TAIL_LINES:])


def stop(proc: subprocess.Popen[bytes]) -> str:
    if proc.poll() is not None:
        return f"serve had already exited with status {proc.returncode}"
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(SHUTDOWN_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
        return f"serve ignored SIGTERM for {SHUTDOWN_TIMEOUT:g} s; killed"
    return (
        f"serve stopped on SIGTERM in {time.monotonic() - start:.2f} s (status {proc.returncode})"
    )


def classify(bodies: list[dict[str, object]]) -> str:
    with_blocks = sum(1 for b in bodies if b.get("blocks"))
    texts = sorted({str(b.get("text", ""))[:80] for b in bodies if not b.get("blocks")})
    summary = f"{with_blocks} with result blocks"
    if texts:
        summary += "; other answers: " + " | ".join(texts)
    return summary


def start_serve(
    env: dict[str, str], port: int, cwd: Path, log_path: Path
) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log_file:
        return subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file
        )


def report(cold: Round, answered: int, waited: float, idle_rss: float) -> bool:
    """Print the goal lines; True if every goal is met."""
    slow = sum(1 for m in cold.ms if m > SLACK_ACK_LIMIT_MS)
    lines = [
        (f"ack p50 {cold.p(50):8.1f} ms", "(info)", None),
        (f"ack p99 {cold.p(99):8.1f} ms", f"goal < {GOAL_P99_MS:g} ms", cold.p(99) < GOAL_P99_MS),
        (f"ack max {max(cold.ms):8.1f} ms", "(info)", None),
        (f"acks over 3 s: {slow}/{COMMANDS}", "goal 0", slow == 0),
        (
            f"answers arrived {answered}/{COMMANDS}",
            f"goal {COMMANDS}/{COMMANDS} within {ANSWER_TIMEOUT:g} s",
            answered == COMMANDS,
        ),
        (f"idle RSS {idle_rss:6.1f} MB", f"goal < {GOAL_RSS_MB:g} MB", idle_rss < GOAL_RSS_MB),
    ]
    print(
        f"\n{COMMANDS} concurrent '/confluence search {QUERY}' on a fresh server, Confluence "
        f"search delayed {SEARCH_DELAY:g} s (burst acked in {cold.seconds * 1000:.0f} ms, "
        f"then waited {waited:.2f} s for the answers)"
    )
    for label, goal, ok in lines:
        print(f"  {label:<30} {goal:<30} {'' if ok is None else verdict(ok)}")
    return all(ok for _, _, ok in lines if ok is not None)


def broken_acks(rounds: list[Round], want: dict[str, int]) -> list[str]:
    return [
        f"{r.label} ack: status {a.status}, want {want.get(r.label, 200)}: {a.detail}"
        for r in rounds
        for a in r.acks
        if a.status != want.get(r.label, 200)
    ]


def measure(
    proc: subprocess.Popen[bytes],
    base: str,
    secret: str,
    slack: FakeSlack,
    slack_url: str,
    confluence: FakeConfluence,
) -> tuple[list[str], bool]:
    """The measurements on a healthy server; returns (problems that break the run, goals met)."""
    time.sleep(SETTLE_SECONDS)
    if proc.poll() is not None:
        raise BenchError(f"serve exited with status {proc.returncode} right after startup")
    idle_rss, _ = rss_mb(proc.pid)

    cold = search_round("cold", base, secret, slack, slack_url)
    waited = wait_answers(slack, cold.answer_ids, proc)
    cold_answers = answers(slack, cold.answer_ids)
    answered = len({r["id"] for r in list(slack.responses) if r["id"] in cold.answer_ids})
    auth_tests = len(slack.calls_to("auth.test"))
    met = report(cold, answered, waited, idle_rss)

    # For reading the figures: the same burst once the server is warm, and the cost of the
    # transport alone (client, fakes and server share this machine's CPUs).
    floor = floor_round(base) if proc.poll() is None else None
    warm = search_round("warm", base, secret, slack, slack_url) if proc.poll() is None else None
    warm_waited = wait_answers(slack, warm.answer_ids, proc) if warm else 0.0
    _, peak_rss = rss_mb(proc.pid) if proc.poll() is None else (0.0, 0.0)
    print("  for comparison (not goals):")
    print(f"    cold burst   {cold.summary()}")
    if warm:
        print(f"    warm burst   {warm.summary()}; answers in {warm_waited:.2f} s")
    if floor:
        print(f"    401 floor    {floor.summary()}  <- HTTP + client + signature check only")
    print(f"    answers      {classify(cold_answers)} (cold burst)")
    print(
        f"    Slack auth.test calls during the cold burst: {auth_tests}; Confluence search "
        f"requests in all: {len(confluence.requests_to('GET', r'/search$'))}; "
        f"peak RSS {peak_rss:.1f} MB"
    )
    rounds = [r for r in (cold, floor, warm) if r is not None]
    return broken_acks(rounds, {"floor": 401}), met


def run(
    slack: FakeSlack, confluence: FakeConfluence, conf_url: str, slack_url: str, tmp: Path
) -> tuple[bool, bool]:
    """Returns (run broken, goals met)."""
    secret = secrets.token_hex(16)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp / "serve.log"
    env = bot_env(confluence, conf_url, slack, slack_url, secret, tmp / "bench.db")
    proc = start_serve(env, port, tmp, log_path)
    show_log = True
    try:
        try:
            startup = wait_healthy(proc, base)
            print(f"serve pid {proc.pid} healthy {startup:.2f} s after start, on {base}")
            problems, met = measure(proc, base, secret, slack, slack_url, confluence)
        except BenchError as exc:
            print(f"ERROR: {exc}", file=sys.stderr)
            return True, False
        for problem in problems:
            print(f"ERROR: {problem}", file=sys.stderr)
        show_log = bool(problems) or not met
        return bool(problems), met
    finally:
        print(stop(proc))
        if show_log:
            print(f"\n--- last {LOG_TAIL_LINES} lines of the serve log ---\n{log_tail(log_path)}")


def main() -> int:
    confluence = seed_confluence()
    slack = FakeSlack()
    slack.add_channel("C0001", "general")
    with (
        serve(confluence.app) as conf_url,
        serve(slack.app) as slack_url,
        tempfile.TemporaryDirectory(prefix="ack-bench-") as tmp,
    ):
        broken, met = run(slack, confluence, conf_url, slack_url, Path(tmp))
    if broken:
        print("\nthe run broke: figures are not trustworthy", file=sys.stderr)
        return 1
    print("\nall goals met" if met else "\nsome goals missed (see FAIL above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
