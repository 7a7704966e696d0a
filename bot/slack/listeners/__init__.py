"""Listener registration: one module per feature, thin listeners that ack first."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.slack.home import AppHome
from bot.slack.listeners.commands import register as register_commands
from bot.slack.listeners.digests import register as register_digests
from bot.slack.listeners.home import register as register_home
from bot.slack.listeners.identity import register as register_identity
from bot.slack.listeners.notify import register as register_notify
from bot.slack.listeners.personal import register as register_personal
from bot.slack.listeners.search import register as register_search
from bot.slack.listeners.unfurl import register as register_unfurl
from bot.slack.listeners.write import register as register_write
from bot.slack.services import Services

log = logging.getLogger("bot.slack")


def register(app: AsyncApp, services: Services) -> None:
    home = AppHome()  # each feature below adds its section to App Home
    register_commands(app, services)
    register_search(app, services)
    register_unfurl(app, services)
    register_home(app, services, home)
    register_write(app, services)
    register_digests(app, services, home)
    register_notify(app, services, home)  # after digests: beside them on App Home
    register_identity(app, services, home)
    register_personal(app, services, home)  # after identity: its sections follow the account's

    # Last, so it only sees what no listener above took: Slack retries an event that is not
    # acknowledged with 200, so events we have no use for are acknowledged and dropped.
    @app.event(re.compile(".*"))
    async def on_other_event(event: dict[str, Any]) -> None:
        log.debug("event ignored type=%s", event.get("type"))
