"""A digest service over the app's store, Confluence client and a Slack client."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import ChannelPacer
from bot.digest.ports import Clock
from bot.digest.service import DigestService
from bot.slack.digests.poster import SlackDigestPoster
from bot.slack.digests.source import ConfluenceBlogSource
from bot.slack.services import Services

__all__ = ["build_digest_service"]


def build_digest_service(
    services: Services,
    client: AsyncWebClient,
    *,
    clock: Clock | None = None,
    pacer: ChannelPacer | None = None,
) -> DigestService:
    return DigestService(
        services.store,
        ConfluenceBlogSource(services.confluence),
        SlackDigestPoster(client, pacer=pacer),
        clock=clock,
        grace=timedelta(hours=services.settings.digest_grace_hours),
    )
