"""`respond()` that logs when Slack refuses the answer.

Bolt's `respond` returns the response_url's HTTP answer and never raises: an expired
response_url (30 minutes, 5 uses) or blocks Slack rejects would otherwise vanish without a trace.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_sdk.webhook.webhook_response import WebhookResponse

log = logging.getLogger("bot.slack.respond")


class LoggedRespond(AsyncRespond):
    @classmethod
    def wrapping(cls, respond: AsyncRespond) -> LoggedRespond:
        return cls(response_url=respond.response_url, proxy=respond.proxy, ssl=respond.ssl)

    async def __call__(self, *args: Any, **kwargs: Any) -> WebhookResponse:
        response = await super().__call__(*args, **kwargs)
        if response.status_code != 200:
            log.warning(
                "slack refused a response_url answer status=%s body=%s",
                response.status_code,
                (response.body or "")[:200],
            )
        return response
