"""Work a listener starts once Slack has its ack: tracked, logged with who asked, and told to
them when it fails unexpectedly (bot.slack.failure_notice)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import failure_notice
from bot.slack.caller import Caller
from bot.slack.services import Services


def after_ack(
    services: Services,
    caller: Caller,
    job: Coroutine[Any, Any, object],
    *,
    name: str,
    client: AsyncWebClient | None = None,
    respond: AsyncRespond | None = None,
) -> None:
    """Run `job` in the background. An unexpected failure is told through `respond` (the
    request's response_url) when given, else privately with `client`."""
    if respond is not None:
        on_error = failure_notice.by_respond(respond)
    elif client is not None:
        on_error = failure_notice.privately(client, caller.user_id, caller.channel_id)
    else:
        raise ValueError("after_ack needs a way to tell the caller: respond or client")
    services.background.spawn(job, name=name, about=caller.about, on_error=on_error)
