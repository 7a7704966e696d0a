"""A notify service over the app's store, Confluence client and a Slack client."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import ChannelPacer
from bot.notify.confluence import ConfluenceActivity
from bot.notify.service import NotifyService
from bot.slack.notify.identities import StoreIdentities
from bot.slack.notify.poster import SlackNotifyPoster
from bot.slack.services import Services

__all__ = ["build_notify_service"]


def build_notify_service(
    services: Services, client: AsyncWebClient, *, pacer: ChannelPacer | None = None
) -> NotifyService:
    settings = services.settings
    return NotifyService(
        services.store,
        ConfluenceActivity(services.confluence),
        SlackNotifyPoster(client, pacer=pacer),
        StoreIdentities(services),
        interval=timedelta(seconds=settings.notify_interval_seconds),
        merge_window=timedelta(seconds=settings.notify_merge_seconds),
        catch_up=timedelta(hours=settings.notify_catch_up_hours),
    )
