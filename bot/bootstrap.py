"""Composition root: Settings in, wired services and Slack app out. No work at import time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from bot.config import Settings
from bot.confluence.factory import client_from_settings
from bot.store import Store
from bot.tasks import BackgroundTasks

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.slack.services import Services


def build_services(
    settings: Settings, *, confluence_transport: httpx.AsyncBaseTransport | None = None
) -> Services:
    from bot.slack.services import Services

    return Services(
        settings=settings,
        confluence=client_from_settings(settings, transport=confluence_transport),
        store=Store.from_url(settings.database_url),
        tasks=BackgroundTasks(),
    )


def build_slack_app(settings: Settings, services: Services, *, http_mode: bool) -> AsyncApp:
    from bot.slack.app import create_app

    return create_app(settings, services, http_mode=http_mode)
