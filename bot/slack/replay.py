"""Replays: a signed request sent again within Slack's 5-minute window acts only once.

Slack gives every slash command and button click its own `trigger_id`, and never retries them; a
second request with the same trigger_id is a replay (or a proxy's duplicate). Requests that
change something — comment, create, digest now/subscribe/unsubscribe, connect, disconnect,
me on/off, and the Share / Unsubscribe / Connect / Disconnect / Done buttons and the notification
checkboxes — are claimed once per trigger_id in the event dedupe table (the one link events use);
reads (search, recent, help, list, whoami, tasks, me, More results, task pages) are left alone. A replay is acknowledged with an empty 200 and one log line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.slack.digests.home import UNSUBSCRIBE_ACTION
from bot.slack.identity_view import CONNECT_ACTION, DISCONNECT_ACTION
from bot.slack.personal.preferences_view import PREFERENCES_ACTION
from bot.slack.personal.tasks_view import TASK_DONE_ACTION
from bot.slack.router import parse_command
from bot.slack.search_view import SHARE_ACTION
from bot.store import Store

log = logging.getLogger("bot.slack.replay")

# Longer than the 5 minutes in which a signature is accepted, plus clock skew.
TRIGGER_TTL_SECONDS = 15 * 60.0
CLAIM_BUDGET_SECONDS = 1.0  # of Slack's 3 s to acknowledge
_COMMANDS = {"comment", "create", "connect", "disconnect"}
_DIGEST = {"now", "subscribe", "unsubscribe"}
_SWITCHES = {"on", "off"}  # me on|off
_ACTIONS = {
    SHARE_ACTION,
    UNSUBSCRIBE_ACTION,
    CONNECT_ACTION,
    DISCONNECT_ACTION,
    TASK_DONE_ACTION,
    PREFERENCES_ACTION,
}


def has_effects(body: Mapping[str, Any]) -> bool:
    """Whether this slash command or button changes something (and so must run once)."""
    if isinstance(body.get("command"), str):
        parsed = parse_command(str(body.get("text") or ""))
        if parsed.name == "digest":
            return (parsed.args.split() or [""])[0].lower() in _DIGEST
        if parsed.name == "me":
            return (parsed.args.split() or [""])[0].lower() in _SWITCHES
        return parsed.name in _COMMANDS
    if body.get("type") == "block_actions":
        actions = body.get("actions") or []
        return any(isinstance(a, Mapping) and a.get("action_id") in _ACTIONS for a in actions)
    return False


def register(app: AsyncApp, store: Store) -> None:
    @app.middleware
    async def once_per_trigger(
        body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        trigger_id = body.get("trigger_id")
        if isinstance(trigger_id, str) and trigger_id != "" and has_effects(body):
            try:
                first = await asyncio.wait_for(
                    store.claim_event(f"trigger:{trigger_id}", TRIGGER_TTL_SECONDS),
                    CLAIM_BUDGET_SECONDS,
                )
            except TimeoutError:
                # A slow database must not cost the 3-second ack; the request runs unchecked.
                log.warning("replay check timed out; handling trigger_id=%s", trigger_id)
                first = True
            if not first:
                log.warning("replayed request ignored trigger_id=%s", trigger_id)
                return BoltResponse(status=200, body="")
        return await next()
