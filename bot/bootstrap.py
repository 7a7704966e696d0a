"""Composition root, on top: Settings in; the Confluence client, the store, the services, the
jobs and the Bolt app are built here and handed, built, to a runtime (`run`, `serve`) or
to the checks (`check`). Only the CLI imports this module; nothing is built at import time."""

from __future__ import annotations

import logging

import httpx
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import BackgroundTasks
from bot.config import Settings
from bot.confluence.factory import client_from_settings
from bot.metrics import Metrics
from bot.scheduling import Jobs
from bot.slack.app import create_app, create_authorization, web_client
from bot.slack.check import Check, run_checks
from bot.slack.digests.build import build_digest_service
from bot.slack.notify.build import build_notify_service
from bot.slack.personal.feed_build import build_feed_service
from bot.slack.runtime import Built, run_http, run_socket_mode
from bot.slack.services import Services
from bot.slack.web_session import slack_session
from bot.slack.write.save import resume_interrupted_saves
from bot.store import Store

log = logging.getLogger("bot.bootstrap")


def build_services(
    settings: Settings, *, confluence_transport: httpx.AsyncBaseTransport | None = None
) -> Services:
    """The process's resources; call it inside the running loop (the Slack session binds to
    it) and end with `await services.aclose()`."""
    metrics = Metrics()  # its own registry: one per process (or per test), nothing global
    background = BackgroundTasks()
    metrics.watch_queue(lambda: background.pending)
    return Services(
        settings=settings,
        confluence=client_from_settings(settings, transport=confluence_transport, observer=metrics),
        store=Store.from_url(settings.database_url),
        background=background,
        metrics=metrics,
        slack_session=slack_session(),
    )


def build_slack_app(settings: Settings, services: Services, *, http_mode: bool) -> AsyncApp:
    return create_app(settings, services, http_mode=http_mode)


DIGEST_SECONDS = 30.0


def build_jobs(
    services: Services,
    slack_client: AsyncWebClient | None = None,
    *,
    digest_seconds: float = DIGEST_SECONDS,
) -> Jobs:
    """The periodic jobs of `run`/`serve`, in one `Jobs`, each starting at once:

    - "digest_tick" every ~30 s: first resumes saves whose process died, then posts the digests
      that are due;
    - "notify_tick" every NOTIFY_INTERVAL_SECONDS (60 s): a round of channel notifications.
    - "personal_tick" every PERSONAL_TICK_SECONDS (gateway mode): polls the linked users whose
      slot in the feed's interval came, and DMs them what is new (bot.personal.feed).

    Their Slack client carries the bot token itself: the Bolt app's own client has none
    (listeners get the token from `authorize`), and jobs run outside any Slack request.
    """
    client = (
        slack_client
        if slack_client is not None
        else web_client(services.settings, metrics=services.metrics, session=services.slack_session)
    )
    jobs = Jobs(observer=services.metrics)
    digests = build_digest_service(services, client)

    async def digest_tick() -> None:
        await _resume_interrupted_saves(services, client)
        await digests.tick()

    jobs.every("digest_tick", digest_seconds, digest_tick)
    notify = build_notify_service(services, client)
    jobs.every("notify_tick", services.settings.notify_interval_seconds, notify.tick)
    if not services.confluence.is_direct:  # one identity for everyone: no personal feeds
        feed = build_feed_service(services, client)
        jobs.every("personal_tick", services.settings.personal_tick_seconds, feed.tick)
    return jobs


async def _resume_interrupted_saves(services: Services, client: AsyncWebClient) -> None:
    """The seam to the write feature: saves whose process died are taken up at every tick."""
    try:
        await resume_interrupted_saves(services, client)
    except Exception:  # digests must not wait on it; the next tick tries again
        logging.getLogger("bot.slack.save").exception("resuming interrupted saves failed")


def _built(settings: Settings, *, http_mode: bool, scheduler: bool) -> Built:
    services = build_services(settings)
    authorization = create_authorization(settings, services.metrics, session=services.slack_session)
    app = create_app(settings, services, http_mode=http_mode, authorization=authorization)
    schedulers = (build_jobs(services),) if scheduler else ()
    return Built(settings, services, app, authorization, schedulers)


async def run(settings: Settings, *, scheduler: bool = True) -> None:
    """`confluence-bot run`: Socket Mode."""
    built = _built(settings, http_mode=False, scheduler=scheduler)
    try:
        await run_socket_mode(built)
    finally:
        await built.services.aclose()


async def serve(settings: Settings, *, host: str, port: int, scheduler: bool = True) -> None:
    """`confluence-bot serve`: Slack's HTTP requests under uvicorn."""
    built = _built(settings, http_mode=True, scheduler=scheduler)
    try:
        await run_http(built, host=host, port=port)
    finally:
        await built.services.aclose()


async def check(settings: Settings) -> list[Check]:
    """`confluence-bot check`: one result per dependency."""
    services = build_services(settings)
    try:
        return await run_checks(settings, services)
    finally:
        await services.aclose()
