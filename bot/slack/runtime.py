"""Run the bot: Socket Mode (`run`) or HTTP under uvicorn (`serve`), with clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from types import FrameType

import uvicorn
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.bootstrap import build_digest_scheduler, build_services, build_slack_app_checked
from bot.config import ConfigError, Settings
from bot.slack.http_app import create_http_app
from bot.slack.socket_watchdog import SocketWatchdog

log = logging.getLogger("bot.runtime")


def require_slack(settings: Settings, *, http_mode: bool) -> None:
    missing = []
    if settings.slack_bot_token is None:
        missing.append("SLACK_BOT_TOKEN (xoxb-…)")
    if http_mode and settings.slack_signing_secret is None:
        missing.append("SLACK_SIGNING_SECRET")
    if not http_mode and settings.slack_app_token is None:
        missing.append("SLACK_APP_TOKEN (xapp-…, with connections:write)")
    if missing:
        raise ConfigError("Slack settings missing: " + ", ".join(missing) + ". See .env.example.")
    app_token = settings.slack_app_token
    if (
        not http_mode
        and app_token is not None
        and not app_token.get_secret_value().startswith("xapp-")
    ):
        raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-.")


async def run_socket_mode(settings: Settings, *, scheduler: bool = True) -> None:
    require_slack(settings, http_mode=False)
    services = build_services(settings)
    await services.store.migrate()
    app = await build_slack_app_checked(settings, services, http_mode=False)
    assert settings.slack_app_token is not None
    handler = AsyncSocketModeHandler(app, settings.slack_app_token.get_secret_value())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    digests = build_digest_scheduler(services) if scheduler else None
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("connected to Slack in Socket Mode")
    watchdog = asyncio.create_task(SocketWatchdog(handler.client).run(), name="socket-watchdog")
    if digests is not None:
        digests.start()
    try:
        await stop.wait()
        log.info("shutting down")
    finally:
        if digests is not None:
            await digests.shutdown()
        watchdog.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watchdog
        await handler.close_async()  # type: ignore[no-untyped-call]
        await services.aclose()


async def run_http(settings: Settings, *, host: str, port: int, scheduler: bool = True) -> None:
    require_slack(settings, http_mode=True)
    services = build_services(settings)
    await services.store.migrate()
    app = await build_slack_app_checked(settings, services, http_mode=True)
    digests = build_digest_scheduler(services) if scheduler else None
    # Closed below rather than in the lifespan, so the scheduler stops before the store closes.
    web = create_http_app(app, services, close_on_shutdown=False)
    config = uvicorn.Config(
        web, host=host, port=port, log_level=settings.log_level.lower(), access_log=False
    )
    if digests is not None:
        digests.start()
    try:
        # uvicorn handles SIGINT/SIGTERM: it stops accepting and returns; then we drain.
        with _stop_signal_consumed():
            await uvicorn.Server(config).serve()
    finally:
        if digests is not None:
            await digests.shutdown()
        await services.aclose()


@contextlib.contextmanager
def _stop_signal_consumed() -> Iterator[None]:
    """uvicorn re-raises the SIGTERM/SIGINT it caught once it has stopped serving; with the
    default handlers that kills the process before the scheduler and the store are closed.
    Take the re-raised signal here instead, so the drain after `serve()` runs and we exit 0."""
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, _note_stop) for sig in stops}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _note_stop(signum: int, frame: FrameType | None) -> None:
    log.info("stopping on %s", signal.Signals(signum).name)
