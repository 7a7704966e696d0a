"""One aiohttp session for every Slack Web API client in the process.

An AsyncWebClient built without a session makes a new aiohttp session for each call and closes
it after: a new TCP and TLS handshake to slack.com for every message, every chat.update and
every views.open inside the 3-second trigger window. The composition root (bot.bootstrap) makes
this one session inside the running loop and closes it at shutdown; every client the app builds
(Bolt's, whose per-request copies keep it, the authorization's, the scheduler's, `check`'s)
is given it. slack_sdk never closes a session it did not create, and keeps its retry handlers.
"""

from __future__ import annotations

import aiohttp

__all__ = ["SLACK_POOL_SIZE", "SLACK_TIMEOUT_SECONDS", "slack_session"]

# Connections kept to Slack. Background delivery posts to at most 8 channels at a time (Slack
# takes ~1 message per second per channel, so more in flight buys nothing); listeners' calls
# (views.open, chat.postEphemeral, chat.unfurl, users.info) need a free connection at once, a
# burst of users at a time. 64 leaves the ack path more than 50 beyond the deliveries, and
# bounds the sockets one process holds (a call waits for a free one rather than opening more).
SLACK_POOL_SIZE = 64
# slack_sdk's own per-call timeout applies only to the sessions it makes; with ours, this does.
SLACK_TIMEOUT_SECONDS = 30


def slack_session() -> aiohttp.ClientSession:
    """The process's session for Slack's Web API. Call it inside the running event loop, and
    `await session.close()` at shutdown."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=SLACK_POOL_SIZE),
        timeout=aiohttp.ClientTimeout(total=SLACK_TIMEOUT_SECONDS),
    )
