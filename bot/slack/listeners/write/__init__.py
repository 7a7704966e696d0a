"""Writing to Confluence from Slack, by job: opening the modals, their options loads, their
submissions, and `/confluence comment`. Each listener parses, calls bot.write, and answers."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.write import modals, options, submissions
from bot.slack.listeners.write.comment_command import handle_comment
from bot.slack.listeners.write.modals import handle_create
from bot.slack.services import Services

__all__ = ["handle_comment", "handle_create", "register"]


def register(app: AsyncApp, services: Services) -> None:
    """Shortcuts (save_thread, comment_on_page, create_page), their views and options loads."""
    modals.register(app, services)
    options.register(app, services)
    submissions.register(app, services)
