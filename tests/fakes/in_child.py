"""Fakes served on loopback from a child process, for benchmarks that time the bot's own work.

In one process the fakes' handlers compete with the bot for the interpreter, so their work would
count as ours. Here a child process builds the fakes (`build`, an importable function), serves
each app on its own port (counting the TCP connections each accepts) and answers `stats()` with
the figures the fakes record.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from tests.fakes.server import Connections, serve

# What `build` returns: the apps to serve by name, what the parent needs to know about them
# (tokens, ids: picklable), and a function of the fakes' own figures (picklable values).
Built = tuple[dict[str, Any], dict[str, Any], Callable[[], dict[str, Any]]]


@dataclass(frozen=True)
class Served:
    urls: dict[str, str]  # app name -> base URL
    info: dict[str, Any]
    _pipe: Connection

    def stats(self) -> dict[str, Any]:
        """The fakes' figures now, plus `connections:<name>`: TCP connections accepted so far."""
        self._pipe.send("stats")
        answer: dict[str, Any] = self._pipe.recv()
        return answer


def _child(build: Callable[..., Built], args: tuple[Any, ...], pipe: Connection) -> None:
    apps, info, figures = build(*args)
    counted = {name: Connections() for name in apps}
    with contextlib.ExitStack() as stack:
        urls = {
            name: stack.enter_context(serve(app, connections=counted[name]))
            for name, app in apps.items()
        }
        pipe.send((urls, info))
        while (command := pipe.recv()) != "stop":
            assert command == "stats", command
            stats = figures()
            stats.update({f"connections:{n}": c.opened for n, c in counted.items()})
            pipe.send(stats)


@contextlib.contextmanager
def served_in_child(build: Callable[..., Built], *args: Any) -> Iterator[Served]:
    """Run `build(*args)` in a child process and serve its apps until the block ends."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_child, args=(build, args, child), name="fakes", daemon=True)
    process.start()
    try:
        if not parent.poll(120):
            raise RuntimeError("the fakes' process did not start")
        urls, info = parent.recv()
        yield Served(urls, info, parent)
        parent.send("stop")
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join()
