"""What a user without their own Confluence identity is told by the personal features."""

from __future__ import annotations

from bot.personal import NotLinked
from bot.slack.identity import FINISH_CONNECTING, RECONNECT


def not_linked_text(exc: NotLinked, what: str) -> str:
    """`what` ("Your tasks", "Personal notifications") needs the user's own connection."""
    if exc.reason == "direct":
        return (
            f":information_source: {what} need per-user identities, and this app reaches "
            "Confluence with a single API token (direct mode), so it cannot act as you. "
            "They work when the app runs through the Maton gateway and you connect your account."
        )
    if exc.reason == "pending":
        return FINISH_CONNECTING
    if exc.reason == "stale":
        return RECONNECT
    return (
        f":link: {what} come from your own Atlassian account. Run `/confluence connect` to "
        "connect it, then try again."
    )
