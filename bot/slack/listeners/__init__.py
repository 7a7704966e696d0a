"""Listener registration: one module per feature, thin listeners that ack first."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.commands import register as register_commands
from bot.slack.listeners.digests import register as register_digests
from bot.slack.listeners.home import register as register_home
from bot.slack.listeners.identity import register as register_identity
from bot.slack.listeners.search import register as register_search
from bot.slack.listeners.unfurl import register as register_unfurl
from bot.slack.listeners.write import register as register_write
from bot.slack.services import Services


def register(app: AsyncApp, services: Services) -> None:
    register_commands(app, services)
    register_search(app, services)
    register_unfurl(app, services)
    register_home(app, services)
    register_write(app, services)
    register_digests(app, services)
    register_identity(app, services)
