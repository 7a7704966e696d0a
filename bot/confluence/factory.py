"""Build a client from Settings (kept apart so the client package never imports bot.config)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.confluence.auth import Auth, DirectAuth, GatewayAuth
from bot.confluence.client import ConfluenceClient
from bot.confluence.http import RequestObserver
from bot.confluence.retry import RetryPolicy

if TYPE_CHECKING:
    import httpx

    from bot.config import Settings


def auth_from_settings(settings: Settings) -> Auth:
    if settings.maton_api_key is not None:
        return GatewayAuth(
            api_key=settings.maton_api_key,
            api_url=settings.maton_api_url,
            ctrl_url=settings.maton_ctrl_url,
            connection=settings.maton_connection,
            cloud_id=settings.confluence_cloud_id,
            site_url=settings.confluence_url,
        )
    assert settings.confluence_url and settings.confluence_email and settings.confluence_api_token
    return DirectAuth(
        site_url=settings.confluence_url,
        email=settings.confluence_email,
        api_token=settings.confluence_api_token,
    )


def client_from_settings(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    observer: RequestObserver | None = None,
) -> ConfluenceClient:
    return ConfluenceClient(
        auth_from_settings(settings),
        transport=transport,
        observer=observer,
        retry=RetryPolicy(max_attempts=settings.confluence_max_attempts),
        requests_per_second=settings.confluence_requests_per_second,
        timeout=settings.confluence_timeout_seconds,
    )
