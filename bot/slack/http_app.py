"""HTTP mode: POST /slack/events (every Slack request kind, one URL) and GET /healthz."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.slack import http_guard
from bot.slack.services import Services

log = logging.getLogger("bot.slack.http")


def create_http_app(
    bolt_app: AsyncApp, services: Services, *, close_on_shutdown: bool = True
) -> Starlette:
    secret = services.settings.slack_signing_secret

    async def events(request: Request) -> Response:
        # Nothing unsigned, oversized or malformed reaches Bolt (see bot.slack.http_guard).
        try:
            bolt_request = await http_guard.admit(
                request, secret.get_secret_value() if secret else None
            )
        except http_guard.Refused as refused:
            log.warning(
                "slack request refused status=%s reason=%s content_type=%s",
                refused.status,
                refused.reason,
                request.headers.get("content-type"),
            )
            return PlainTextResponse(refused.reason, status_code=refused.status)
        return to_starlette_response(await bolt_app.async_dispatch(bolt_request))

    async def healthz(request: Request) -> Response:
        problem = await services.store.health()
        ok = problem is None
        body = {
            "ok": ok,
            "store": problem or "ok",
            "background_tasks": services.tasks.pending,
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if close_on_shutdown:
            await services.aclose()

    return Starlette(
        routes=[
            Route("/slack/events", events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
