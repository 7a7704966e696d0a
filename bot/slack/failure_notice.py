"""What a user is told when their request fails unexpectedly, rather than leaving them waiting.

`BackgroundTasks.spawn(..., on_error=...)` logs the failure, then calls one of these while it
handles the exception, so `failure_text()` can say more when the failure is one users should
know by name (the database went away: nothing they did was kept).
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.private_message import tell_user
from bot.store import DatabaseLost

SOMETHING_WENT_WRONG = (
    ":warning: Something went wrong on my side, and I've logged it. Please try again in a moment."
)
DATABASE_LOST = (
    ":x: I couldn't record that: the app's database file was deleted or replaced while it ran, "
    "so nothing I write to it now would last. I've logged it; please ask whoever runs this app "
    "to restore the database and restart it."
)


def failure_text(exc: BaseException | None = None) -> str:
    """What to tell the user about an unexpected failure (the one being handled by default)."""
    exc = exc if exc is not None else sys.exc_info()[1]
    return DATABASE_LOST if isinstance(exc, DatabaseLost) else SOMETHING_WENT_WRONG


Notify = Callable[[], Awaitable[object]]


def by_respond(respond: AsyncRespond) -> Notify:
    """Through the request's response_url (slash commands, buttons on messages)."""

    async def tell() -> None:
        text = failure_text()
        await respond(response_type="ephemeral", replace_original=False, text=text)

    return tell


def privately(client: AsyncWebClient, user_id: str, channel_id: str | None) -> Notify:
    """An ephemeral in the channel, else a DM (shortcuts, modals, App Home)."""

    async def tell() -> None:
        await tell_user(client, user_id, channel_id, failure_text())

    return tell
