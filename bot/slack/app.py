"""The Bolt AsyncApp: Web API client with 429 retries, request ids, global error handler, listeners."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.config import Settings
from bot.logs import new_request_id
from bot.metrics import Metrics
from bot.slack import failure_notice, replay
from bot.slack.authorization import CachedAuthorization
from bot.slack.listeners import register
from bot.slack.logged_respond import LoggedRespond, refuse_foreign
from bot.slack.observe import MeteredApp, SlackErrorCounter
from bot.slack.services import Services
from bot.slack.slack_urls import is_slack_response_url

log = logging.getLogger("bot.slack")
VERIFIED = "request_verified"  # context key set once a request passed Bolt's verification


def web_client(
    settings: Settings,
    *,
    with_token: bool = True,
    metrics: Metrics | None = None,
    session: aiohttp.ClientSession | None = None,
) -> AsyncWebClient:
    """A Web API client with 429 and connection retries. `session`: the process's shared one
    (bot.slack.web_session); without it slack_sdk opens a new session for every call."""
    token = (
        settings.slack_bot_token.get_secret_value()
        if settings.slack_bot_token and with_token
        else None
    )
    # Bolt copies these handlers into each request's client, so listeners' calls count too.
    counting: list[AsyncRetryHandler] = [SlackErrorCounter(metrics)] if metrics else []
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        session=session,
        retry_handlers=[
            *counting,
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


class _EnvTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and, since we also give it a
    client, warns on every start that the token is unused. It is meant to be: the token comes
    from `authorize`. Drop just that line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("bot.slack.bolt")
    if not any(isinstance(f, _EnvTokenNotice) for f in logger.filters):
        logger.addFilter(_EnvTokenNotice())
    return logger


def create_authorization(
    settings: Settings,
    metrics: Metrics | None = None,
    *,
    session: aiohttp.ClientSession | None = None,
) -> CachedAuthorization:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    client = web_client(settings, with_token=False, metrics=metrics, session=session)
    return CachedAuthorization(client, token)


def create_app(
    settings: Settings,
    services: Services,
    *,
    http_mode: bool,
    authorization: CachedAuthorization | None = None,
) -> AsyncApp:
    secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    session = services.slack_session
    authorization = authorization or create_authorization(
        settings, services.metrics, session=session
    )
    app = MeteredApp(
        # The bot token comes from `authorize` (one cached auth.test), not from the client.
        # Bolt's per-request clients keep this client's session.
        client=web_client(settings, with_token=False, metrics=services.metrics, session=session),
        authorize=authorization.as_bolt_authorize(),
        # Bolt's own loggers would otherwise log raw request bodies at INFO.
        logger=_bolt_logger(),
        signing_secret=secret,
        # Socket Mode has no signatures to check; HTTP mode always checks them.
        request_verification_enabled=http_mode,
        # Listeners only ack and hand work to tracked tasks, so answering after them costs nothing
        # and avoids Bolt's 10 ms ack polling.
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        name="confluence-bot",
    )
    app.metrics = services.metrics
    _add_middleware(app, settings, services)
    _add_error_handler(app, settings)
    register(app, services)
    return app


def _add_middleware(app: AsyncApp, settings: Settings, services: Services) -> None:
    """Verified mark, request ids, replay refusal and a respond() that only answers Slack, in
    that order (each runs before the next)."""

    # Global middleware runs after Bolt's request verification: a request that reaches it was
    # verified (HTTP mode) or came through the Socket Mode connection.
    @app.middleware
    async def passed_verification(context: AsyncBoltContext, next: Any) -> Any:
        context[VERIFIED] = True
        return await next()

    @app.middleware
    async def request_ids(body: dict[str, Any], next: Any) -> Any:
        hint = body.get("event_id") or body.get("trigger_id")
        new_request_id(str(hint) if hint else None)
        return await next()

    replay.register(app, services.store)

    @app.middleware
    async def logged_respond(context: AsyncBoltContext, next: Any) -> Any:
        respond = context.get("respond")
        if isinstance(respond, AsyncRespond) and not isinstance(respond, LoggedRespond):
            context["respond"] = LoggedRespond.wrapping(respond, api_url=settings.slack_api_url)
        return await next()


def _add_error_handler(app: AsyncApp, settings: Settings) -> None:
    """An unhandled listener error is logged and told to the user through the request's
    response_url, when the request was verified and that URL is Slack's."""

    @app.error
    async def on_error(
        error: Exception, body: dict[str, Any], context: AsyncBoltContext
    ) -> BoltResponse | None:
        kind = body.get("type") or ("command" if body.get("command") else "unknown")
        log.error(
            "unhandled error kind=%s team=%s user=%s",
            kind,
            context.team_id,
            context.user_id,
            exc_info=error,
        )
        response_url = body.get("response_url")
        if not context.get(VERIFIED) or not isinstance(response_url, str) or not response_url:
            return None  # never act on what an unverified body says
        if not is_slack_response_url(response_url, settings.slack_api_url):
            refuse_foreign(response_url)
        else:
            try:
                await AsyncWebhookClient(response_url).send(
                    text=failure_notice.failure_text(error),
                    response_type="ephemeral",
                    replace_original=False,
                )
            except Exception:
                log.exception("could not tell the user about the error")
        return None
