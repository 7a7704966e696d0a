"""Run the bot: Socket Mode (`run`) or HTTP under uvicorn (`serve`), with clean shutdown.

The runtimes receive what bootstrap built (`Built`) and start it. A start checks the bot token
(one auth.test), then opens the database (waiting a little for one that is not up yet), then
connects. Whatever the user can fix stops the start with a StartupError (one line, exit 2);
SIGINT/SIGTERM stop the process at any point, within a few seconds. Closing the services is the
builder's job, after the runtime returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Awaitable, Callable, Generator, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Protocol, TypeVar

import aiohttp
import uvicorn
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.config import APP_TOKENS_PAGE, BOT_TOKEN_PAGE, Settings
from bot.slack.authorization import CachedAuthorization
from bot.slack.http_app import create_http_app, create_probe_app
from bot.slack.services import Services
from bot.slack.socket_mode import SocketModeRunner
from bot.slack.socket_watchdog import SocketWatchdog
from bot.startup import StartupError, open_database

log = logging.getLogger("bot.runtime")
T = TypeVar("T")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Scheduler(Protocol):
    """Background work on a timer (`bot.scheduling.Jobs`), started once Slack is reachable."""

    def start(self) -> None: ...

    async def shutdown(self) -> None: ...


@dataclass(frozen=True)
class Built:
    """What bootstrap hands a runtime: everything built, nothing started or checked yet."""

    settings: Settings
    services: Services
    app: AsyncApp
    authorization: CachedAuthorization  # its first auth.test is the start's token check
    schedulers: tuple[Scheduler, ...] = ()


class _Stopped(Exception):
    """A stop signal came while the process was still starting."""


def bot_token_refused(error: str) -> StartupError:
    return StartupError(
        "SLACK_BOT_TOKEN",
        f"Slack refused it ({error})",
        f"copy the Bot User OAuth Token (xoxb-…) again from {BOT_TOKEN_PAGE}; "
        "if it was revoked, reinstall the app to the workspace",
    )


def app_token_refused(error: str) -> StartupError:
    if error == "missing_scope":
        problem = "Slack refused it (missing_scope: it lacks connections:write)"
    else:
        problem = f"Slack refused it ({error})"
    fix = f"create an app-level token with connections:write under {APP_TOKENS_PAGE}"
    if error == "not_allowed_token_type":
        fix += ", and check that Socket Mode is on (Settings → Socket Mode)"
    return StartupError("SLACK_APP_TOKEN", problem, fix)


def slack_unreachable(settings: Settings, exc: BaseException) -> StartupError:
    return StartupError(
        "SLACK_API_URL",
        f"cannot reach Slack at {settings.slack_api_url} ({type(exc).__name__})",
        "check the network (proxy, firewall, DNS) or the URL",
    )


async def _start_checks(built: Built) -> None:
    """The bot token passes auth.test, then the database opens (migrated)."""
    try:
        await built.authorization.result()
    except SlackApiError as exc:
        raise bot_token_refused(str(exc.response.get("error"))) from None
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise slack_unreachable(built.settings, exc) from None
    await open_database(built.services.store, wait_seconds=built.settings.database_wait_seconds)


@contextlib.contextmanager
def _stop_event() -> Iterator[asyncio.Event]:
    """An event set by SIGINT or SIGTERM while the block runs."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, _on_stop, sig, stop)
    try:
        yield stop
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)


def _on_stop(sig: signal.Signals, stop: asyncio.Event) -> None:
    log.info("stopping on %s", sig.name)
    stop.set()


async def _unless_stopped(work: Awaitable[T], stop: asyncio.Event) -> T:
    """`work`'s result, or _Stopped (with `work` cancelled) if a stop signal comes first."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    raise _Stopped


async def run_socket_mode(built: Built) -> None:
    with _stop_event() as stop:
        try:
            await _unless_stopped(_start_checks(built), stop)
        except _Stopped:
            return
        await _serve_socket_mode(built, stop)


async def _serve_socket_mode(built: Built, stop: asyncio.Event) -> None:
    settings, services = built.settings, built.services
    assert settings.slack_app_token is not None
    probe_socket = _listen(settings.metrics_port) if settings.metrics_port else None
    handler = SocketModeRunner(built.app, settings.slack_app_token.get_secret_value())
    probe = (
        _Probe(probe_socket, services, handler.client.is_connected, settings.log_level)
        if probe_socket is not None
        else None
    )
    refused: asyncio.Future[object] = handler.client.refused  # type: ignore[assignment]
    stopper: asyncio.Future[object] = asyncio.ensure_future(stop.wait())
    watchdog: asyncio.Task[None] | None = None
    # slack_sdk retries a connection Slack does not take for ever: race it with the signals.
    connect: asyncio.Future[object] = asyncio.ensure_future(
        handler.connect_async()  # type: ignore[no-untyped-call]
    )
    try:
        await asyncio.wait({connect, refused, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if not refused.done() and not stopper.done():
            log.info("connected to Slack in Socket Mode")
            watchdog = asyncio.create_task(
                SocketWatchdog(handler.client).run(), name="socket-watchdog"
            )
            for scheduler in built.schedulers:
                scheduler.start()
            await asyncio.wait({refused, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if refused.done():
            raise app_token_refused(str(refused.result()))
        log.info("shutting down")
    finally:
        stopper.cancel()
        if probe is not None:
            await probe.stop()
        for scheduler in built.schedulers:
            await scheduler.shutdown()
        if watchdog is not None:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
        await handler.close_async()  # type: ignore[no-untyped-call]
        if not connect.done():
            connect.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connect


def _listen(port: int) -> socket.socket:
    """The METRICS_PORT socket, bound before anything starts (a port in use stops the start)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("0.0.0.0", port))
    except OSError as exc:
        sock.close()
        raise StartupError(
            "METRICS_PORT",
            f"cannot listen on port {port} ({exc.strerror or type(exc).__name__})",
            "pick a free port, or leave METRICS_PORT unset",
        ) from None
    return sock


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the Socket Mode runtime owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class _Probe:
    """GET /healthz and GET /metrics on METRICS_PORT while Socket Mode runs."""

    def __init__(
        self,
        sock: socket.socket,
        services: Services,
        connected: Callable[[], Awaitable[bool]],
        log_level: str,
    ) -> None:
        config = uvicorn.Config(
            create_probe_app(services, connected),
            log_level=log_level.lower(),
            access_log=False,
            lifespan="off",
        )
        self._sock = sock
        self._server = _QuietServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="metrics")
        log.info("serving /metrics and /healthz on port %d", sock.getsockname()[1])

    async def stop(self) -> None:
        self._server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._task, 5.0)
        self._sock.close()


async def run_http(built: Built, *, host: str, port: int) -> None:
    with _stop_event() as stop:
        try:
            await _unless_stopped(_start_checks(built), stop)
        except _Stopped:
            return
    # Closed by the builder rather than in the lifespan, so the schedulers stop before the store
    # closes.
    web = create_http_app(built.app, built.services, close_on_shutdown=False)
    config = uvicorn.Config(
        web, host=host, port=port, log_level=built.settings.log_level.lower(), access_log=False
    )
    for scheduler in built.schedulers:
        scheduler.start()
    try:
        # uvicorn handles SIGINT/SIGTERM: it stops accepting and returns; then we drain.
        with _stop_signal_consumed():
            await uvicorn.Server(config).serve()
    finally:
        for scheduler in built.schedulers:
            await scheduler.shutdown()


@contextlib.contextmanager
def _stop_signal_consumed() -> Iterator[None]:
    """uvicorn re-raises the SIGTERM/SIGINT it caught once it has stopped serving; with the
    default handlers that kills the process before the scheduler and the store are closed.
    Take the re-raised signal here instead, so the drain after `serve()` runs and we exit 0."""
    previous = {sig: signal.signal(sig, _note_stop) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _note_stop(signum: int, frame: FrameType | None) -> None:
    log.info("stopping on %s", signal.Signals(signum).name)
