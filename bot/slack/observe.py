"""What the Slack side reports to `bot.metrics`: each request Bolt answers (kind, name, outcome,
time to answer) and each Slack Web API error. Labels are taken from fixed words and this app's own
ids only (see `request_labels`), never from what users type."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.metrics import OTHER, Metrics, label
from bot.slack.payload_kinds import INTERACTIVE_KINDS
from bot.slack.router import parse_command


def request_labels(body: dict[str, Any]) -> tuple[str, str]:
    """(kind, name) of a Slack request: the subcommand (never the rest of the text), the action,
    callback or view id this app set, or the event type; "other" for anything else."""
    if "command" in body:
        return "command", parse_command(str(body.get("text") or "")).name
    kind = str(body.get("type") or "")
    if kind == "event_callback":
        event = body.get("event")
        return "event", label(event.get("type") if isinstance(event, dict) else None)
    if kind in INTERACTIVE_KINDS:
        actions = body.get("actions")
        view = body.get("view")
        if kind == "block_actions" and isinstance(actions, list) and actions:
            name = actions[0].get("action_id") if isinstance(actions[0], dict) else None
        elif kind == "block_suggestion":
            name = body.get("action_id")
        elif kind in ("view_submission", "view_closed") and isinstance(view, dict):
            name = view.get("callback_id")
        else:
            name = body.get("callback_id")
        return kind, label(name)
    return OTHER, OTHER


def outcome(status: int) -> str:
    if status < 300:
        return "acked"
    if status == 401:
        return "refused"  # bad signature or stale timestamp
    if status == 404:
        return "unhandled"
    return "error"


class MeteredApp(AsyncApp):
    """Bolt's AsyncApp, timing and counting every request it answers (HTTP and Socket Mode both
    go through `async_dispatch`)."""

    metrics: Metrics | None = None

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        started = time.perf_counter()
        response = await super().async_dispatch(req)
        if self.metrics is not None:
            kind, name = request_labels(req.body if isinstance(req.body, dict) else {})
            self.metrics.slack_request(
                kind, name, outcome(response.status), time.perf_counter() - started
            )
        return response


class SlackErrorCounter(AsyncRetryHandler):
    """Never retries: it sees every Slack Web API answer (slack_sdk asks each retry handler in
    turn) and counts the errors by method and error code."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(max_retry_count=0)
        self._metrics = metrics

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = request.url.rstrip("/").rsplit("/", 1)[-1]
        if error is not None:
            self._metrics.slack_api_error(method, "connection_error")
        elif response is not None:
            body = response.body
            if isinstance(body, dict) and body.get("ok") is False:
                self._metrics.slack_api_error(method, str(body.get("error")))
            elif response.status_code >= 400:
                self._metrics.slack_api_error(method, f"http_{response.status_code // 100}xx")
        return False
