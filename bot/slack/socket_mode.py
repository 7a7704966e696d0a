"""Socket Mode that stops on a refused app-level token instead of retrying it forever.

slack_sdk's client retries a failed connection in a loop (every few seconds, for ever), whatever
the cause, and `apps.connections.open` refusing the token is one of them. Here a refusal closes the
client, which ends that loop, and resolves `refused` with Slack's error so the runtime can stop
with a line that says what to do.
"""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient

log = logging.getLogger("bot.slack.socket")

# apps.connections.open errors that no retry can fix: the token is wrong, revoked, of the wrong
# kind or lacks connections:write, or Socket Mode is not available to this app.
REFUSALS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "not_allowed_token_type",
        "missing_scope",
        "no_permission",
        "forbidden_team",
        "missing_args",
    }
)


class RefusableSocketModeClient(SocketModeClient):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.refused: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def issue_new_wss_url(self) -> str:
        # slack_sdk's own version, which logs Slack's whole answer as an error first.
        while True:
            try:
                response = await self.web_client.apps_connections_open(app_token=self.app_token)
                return str(response["url"])
            except SlackApiError as exc:
                error = str(exc.response.get("error"))
                if error == "ratelimited":  # left over from the client's own 429 retries
                    delay = int(exc.response.headers.get("Retry-After", "30"))
                    log.warning("apps.connections.open rate limited; retrying in %ds", delay)
                    await asyncio.sleep(delay)
                    continue
                if error in REFUSALS:
                    self.closed = True  # ends slack_sdk's connect() retry loop
                    if not self.refused.done():
                        self.refused.set_result(error)
                else:
                    log.warning("apps.connections.open failed error=%s", error)
                raise


class SocketModeRunner(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler with the client above."""

    client: RefusableSocketModeClient

    def __init__(self, app: AsyncApp, app_token: str, *, ping_interval: float = 10) -> None:
        # The parent's constructor, with our client class (it starts tasks, so build it once).
        self.app = app
        self.app_token = app_token
        self.client = RefusableSocketModeClient(
            app_token=app_token,
            logger=app.logger,
            web_client=app.client,
            ping_interval=ping_interval,
        )
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]
