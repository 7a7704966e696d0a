"""`respond()` that answers only Slack's response_urls and logs when Slack refuses the answer.

Bolt's `respond` posts to whatever `response_url` the request body names. The body is signed by
Slack in HTTP mode, but an answer still goes only to a URL Slack could have issued (see
bot.slack.slack_urls); anything else is logged and not contacted. Bolt's `respond` returns the
response_url's HTTP answer and never raises: an expired response_url (30 minutes, 5 uses) or
blocks Slack rejects would otherwise vanish without a trace.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_sdk.webhook.webhook_response import WebhookResponse

from bot.slack.slack_urls import is_slack_response_url

log = logging.getLogger("bot.slack.respond")
NOT_SLACKS = "not a Slack response_url"


def refuse_foreign(response_url: str | None) -> WebhookResponse:
    """Log (without the URL's path, which can carry a token) that an answer was not sent."""
    host = response_url.split("/")[2] if response_url and response_url.count("/") >= 2 else ""
    log.warning("answer not sent: %s host=%s", NOT_SLACKS, host[:100])
    return WebhookResponse(url=response_url or "", status_code=0, body=NOT_SLACKS, headers={})


class LoggedRespond(AsyncRespond):
    api_url: str = ""

    @classmethod
    def wrapping(cls, respond: AsyncRespond, *, api_url: str) -> LoggedRespond:
        wrapped = cls(response_url=respond.response_url, proxy=respond.proxy, ssl=respond.ssl)
        wrapped.api_url = api_url
        return wrapped

    async def __call__(self, *args: Any, **kwargs: Any) -> WebhookResponse:
        if not self.response_url or not is_slack_response_url(self.response_url, self.api_url):
            return refuse_foreign(self.response_url)
        response = await super().__call__(*args, **kwargs)
        if response.status_code != 200:
            log.warning(
                "slack refused a response_url answer status=%s body=%s",
                response.status_code,
                (response.body or "")[:200],
            )
        return response
