"""HTTP mode: POST /slack/events (every Slack request kind, one URL), GET /healthz and GET /metrics;
and the small probe app a Socket Mode process serves on METRICS_PORT (/healthz and /metrics)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.slack import http_guard
from bot.slack.services import Services

log = logging.getLogger("bot.slack.http")


def _probe_routes(
    services: Services, slack_connected: Callable[[], Awaitable[bool]] | None = None
) -> list[Route]:
    async def healthz(request: Request) -> Response:
        problem = await services.store.health()
        ok = problem is None
        body: dict[str, object] = {
            "ok": ok,
            "store": problem or "ok",
            "background_tasks": services.background.pending,
        }
        if slack_connected is not None:  # Socket Mode: the session is part of being healthy
            connected = await slack_connected()
            body["slack"] = "connected" if connected else "disconnected"
            ok = ok and connected
            body["ok"] = ok
        return JSONResponse(body, status_code=200 if ok else 503)

    async def metrics(request: Request) -> Response:
        content, content_type = services.metrics.exposition()
        return Response(content, media_type=content_type)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]


def create_http_app(
    bolt_app: AsyncApp, services: Services, *, close_on_shutdown: bool = True
) -> Starlette:
    secret = services.settings.slack_signing_secret

    async def events(request: Request) -> Response:
        started = time.perf_counter()
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
            # Labelled without reading the body: nothing of an unverified request is trusted.
            services.metrics.slack_request(
                "unverified" if refused.status == 401 else "malformed",
                "other",
                "refused",
                time.perf_counter() - started,
            )
            return PlainTextResponse(refused.reason, status_code=refused.status)
        return to_starlette_response(await bolt_app.async_dispatch(bolt_request))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if close_on_shutdown:
            await services.aclose()

    return Starlette(
        routes=[Route("/slack/events", events, methods=["POST"]), *_probe_routes(services)],
        lifespan=lifespan,
    )


def create_probe_app(
    services: Services, slack_connected: Callable[[], Awaitable[bool]]
) -> Starlette:
    """GET /healthz (503 when the database does not answer or the Socket Mode session is down)
    and GET /metrics, for a Socket Mode process."""
    return Starlette(routes=_probe_routes(services, slack_connected))
