"""Composition root: Settings in, wired services and Slack app out. No work at import time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from bot.config import Settings
from bot.confluence.factory import client_from_settings
from bot.metrics import Metrics
from bot.store import Store
from bot.tasks import BackgroundTasks

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.digest.scheduler import DigestScheduler
    from bot.slack.services import Services


def build_services(
    settings: Settings, *, confluence_transport: httpx.AsyncBaseTransport | None = None
) -> Services:
    from bot.slack.services import Services

    metrics = Metrics()  # its own registry: one per process (or per test), nothing global
    tasks = BackgroundTasks()
    metrics.watch_queue(lambda: tasks.pending)
    return Services(
        settings=settings,
        confluence=client_from_settings(settings, transport=confluence_transport, observer=metrics),
        store=Store.from_url(settings.database_url),
        tasks=tasks,
        metrics=metrics,
    )


async def build_slack_app_checked(
    settings: Settings, services: Services, *, http_mode: bool
) -> AsyncApp:
    """The Slack app after one auth.test, so a bad bot token stops the process at startup."""
    from bot.slack.app import create_app, create_authorization

    authorization = create_authorization(settings, services.metrics)
    await authorization.result()
    return create_app(settings, services, http_mode=http_mode, authorization=authorization)


def build_slack_app(settings: Settings, services: Services, *, http_mode: bool) -> AsyncApp:
    from bot.slack.app import create_app

    return create_app(settings, services, http_mode=http_mode)


def build_digest_scheduler(
    services: Services,
    slack_client: AsyncWebClient | None = None,
    *,
    interval_seconds: float = 30.0,
) -> DigestScheduler:
    """The scheduler for `run`/`serve`: a tick every ~30 s over the app's services, starting at
    once, that first resumes saves whose process died, then posts the digests that are due.

    Its Slack client carries the bot token itself: the Bolt app's own client has none (listeners
    get the token from `authorize`), and the scheduler runs outside any Slack request.
    """
    import logging

    from bot.digest.scheduler import DigestScheduler
    from bot.slack.app import web_client
    from bot.slack.digests.build import build_digest_service
    from bot.slack.write.save import resume_interrupted_saves

    client = (
        slack_client
        if slack_client is not None
        else web_client(services.settings, metrics=services.metrics)
    )
    service = build_digest_service(services, client)

    async def tick() -> None:
        try:
            await resume_interrupted_saves(services, client)
        except Exception:  # digests must not wait on it; the next tick tries again
            logging.getLogger("bot.slack.save").exception("resuming interrupted saves failed")
        await service.tick()

    return DigestScheduler(tick, interval_seconds=interval_seconds, observer=services.metrics)
