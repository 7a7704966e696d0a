"""When background work fails unexpectedly: tell the user, rather than leave them waiting.

`BackgroundTasks.spawn(..., on_error=...)` logs the failure, then calls one of these.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.write.notify import tell_user

SOMETHING_WENT_WRONG = (
    ":warning: Something went wrong on my side, and I've logged it. Please try again in a moment."
)

Notify = Callable[[], Awaitable[object]]


def by_respond(respond: AsyncRespond) -> Notify:
    """Through the request's response_url (slash commands, buttons on messages)."""

    async def tell() -> None:
        await respond(response_type="ephemeral", replace_original=False, text=SOMETHING_WENT_WRONG)

    return tell


def privately(client: AsyncWebClient, user_id: str, channel_id: str | None) -> Notify:
    """An ephemeral in the channel, else a DM (shortcuts, modals, App Home)."""

    async def tell() -> None:
        await tell_user(client, user_id, channel_id, SOMETHING_WENT_WRONG)

    return tell
