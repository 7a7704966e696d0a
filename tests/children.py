"""Child processes for the tests that need several processes, forked from one that has already
imported the bot.

Starting `python -m bot` (or a spawned multiprocessing worker) costs about a second of imports,
and the multi-process tests start dozens. multiprocessing's forkserver is a fresh, single-threaded
interpreter that imports PRELOAD once and forks every child from there: each child still starts
from scratch as far as the test can tell (its own pid, environment, working directory, signals
and exit status; no state from the test process, whose threads and event loop are never forked),
only without paying for the imports again. The bot's entry point runs as `python -m bot` runs it
(`runpy` on `bot.__main__`); tests/test_cli.py still starts a real interpreter that way.
"""

from __future__ import annotations

import asyncio
import builtins
import gc
import multiprocessing
import os
import queue
import runpy
import signal
import subprocess
import sys
import warnings
from collections.abc import Callable, Sequence
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pytest

PRELOAD = [
    "bot.cli",
    "bot.bootstrap",
    "bot.slack.check",
    "bot.slack.runtime",
    "tests.children",
    "tests.digest.workers",
    "tests.store.workers",
]


def context() -> ForkServerContext:
    """The multiprocessing context every multi-process test uses (one forkserver per test
    process, so one PRELOAD list)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def _bot_main(args: list[str], env: dict[str, str], cwd: str, out: str, err: str) -> None:
    """In the child: what `cd cwd && env -i env… python -m bot args >out 2>err` does."""
    for fd, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(target, fd)
        os.close(target)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    _warning_options(env.get("PYTHONWARNINGS", ""))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    sys.argv = ["bot", *args]
    try:
        runpy.run_module("bot", run_name="__main__", alter_sys=True)  # raises SystemExit(status)
    finally:
        # What the process leaves unreleased is finalized now, while its warnings still work
        # (an interpreter's own exit does not promise to): "Unclosed client session" shows.
        gc.collect()


def _warning_options(options: str) -> None:
    """PYTHONWARNINGS as a starting interpreter reads it (`action::Category`, comma-separated;
    builtin categories): the forked child started before its environment was set."""
    for option in filter(None, options.split(",")):
        action, _, rest = option.partition(":")
        message, _, rest = rest.partition(":")
        category = getattr(builtins, rest.partition(":")[0] or "Warning")
        warnings.filterwarnings(action, message=message, category=category)  # type: ignore[arg-type]


class BotProcess:
    """A started bot, with the parts of asyncio.subprocess.Process the tests use."""

    def __init__(self, process: BaseProcess) -> None:
        self._process = process

    @property
    def pid(self) -> int:
        assert self._process.pid is not None
        return self._process.pid

    @property
    def returncode(self) -> int | None:
        """The exit status once it ended (-N: killed by signal N), else None."""
        return self._process.exitcode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    async def wait(self) -> int:
        """Wait for the end (woken by the process's sentinel, not by polling)."""
        if self._process.exitcode is None:
            loop = asyncio.get_running_loop()
            ended = loop.create_future()
            sentinel = self._process.sentinel
            loop.add_reader(sentinel, lambda: ended.done() or ended.set_result(None))
            try:
                await ended
            finally:
                loop.remove_reader(sentinel)
        self._process.join()
        code = self._process.exitcode
        assert code is not None
        return code


def _bot(args: list[str], env: dict[str, str], cwd: Path, out: Path, err: Path) -> BaseProcess:
    return context().Process(
        target=_bot_main,
        args=(args, env, str(cwd), str(out), str(err)),
        name=f"bot {' '.join(args)}",
    )


async def start_bot(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> BotProcess:
    """`python -m bot <args>` in `cwd` with exactly `env`, stdout and stderr to `log`."""
    log.write_bytes(b"")
    process = _bot(args, env, cwd, log, log)
    await asyncio.to_thread(process.start)  # the first start waits for the forkserver's imports
    return BotProcess(process)


def run_bot(
    args: list[str], env: dict[str, str], cwd: Path, *, timeout: float = 60.0
) -> subprocess.CompletedProcess[str]:
    """`python -m bot <args>` to the end, as subprocess.run(…, capture_output=True, text=True)."""
    out, err = cwd / ".bot-stdout", cwd / ".bot-stderr"
    for path in (out, err):
        path.write_bytes(b"")
    process = _bot(args, env, cwd, out, err)
    process.start()
    process.join(timeout)
    if process.exitcode is None:
        process.kill()
        process.join()
        raise subprocess.TimeoutExpired(["python", "-m", "bot", *args], timeout)
    stdout, stderr = out.read_text(), err.read_text()
    out.unlink()
    err.unlink()
    return subprocess.CompletedProcess(
        ["python", "-m", "bot", *args], process.exitcode, stdout, stderr
    )


async def race(target: Callable[..., None], arguments: Sequence[tuple[Any, ...]]) -> dict[str, Any]:
    """Run `target(*args, start, results)` in a child process per tuple of `arguments`, released
    together by `start` (a barrier), and return the (name, outcome) pairs each put on `results`
    (a queue), as a dict. A process that does not report within 90 s fails the test."""
    ctx = context()
    start = ctx.Barrier(len(arguments))
    results: multiprocessing.Queue[tuple[str, Any]] = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, start, results)) for args in arguments]
    for proc in procs:
        proc.start()
    try:
        return dict(await asyncio.to_thread(_collect, results, len(procs)))
    finally:
        for proc in procs:
            await asyncio.to_thread(proc.join, 30)
            if proc.is_alive():
                proc.kill()


def _collect(results: multiprocessing.Queue[tuple[str, Any]], count: int) -> list[tuple[str, Any]]:
    collected = []
    for _ in range(count):
        try:
            collected.append(results.get(timeout=90))
        except queue.Empty:
            pytest.fail(f"only {len(collected)} of {count} processes reported: {collected}")
    return collected
