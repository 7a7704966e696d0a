"""One sentence per Confluence error class, for the user who caused it (never with secrets),
and a short label of the same for places that fit only a few words (an option list)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.confluence.errors import (
    AuthError,
    BadRequest,
    Conflict,
    ConfluenceError,
    ConnectionServiceUnreachable,
    ExpiredGrant,
    NoConnection,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    TransportError,
)
from bot.slack.blocks import mrkdwn_escape
from bot.slack.identity import ConnectionPending, IdentityRequired, ReconnectNeeded


def user_message(exc: ConfluenceError) -> str:
    if isinstance(exc, ExpiredGrant):
        return (
            ":warning: The Confluence authorization has expired. "
            "Run `/confluence connect` to reconnect, then try again."
        )
    if isinstance(exc, NoConnection):
        return (
            ":warning: There is no active Confluence connection. "
            "Run `/confluence connect` (or ask your admin to connect Confluence in Maton)."
        )
    if isinstance(exc, AuthError):
        return (
            ":lock: Confluence did not accept the app's credentials. "
            "Ask your admin to check the Confluence settings, or run `/confluence connect`."
        )
    if isinstance(exc, PermissionDenied):
        return ":no_entry: You don't have permission to do that in Confluence."
    if isinstance(exc, NotFound):
        return ":mag: That Confluence page or space doesn't exist, or you can't see it."
    if isinstance(exc, Conflict):
        return (
            ":twisted_rightwards_arrows: Confluence reported a conflict "
            f"({mrkdwn_escape(exc.detail) or 'someone else changed it'}). Please try again."
        )
    if isinstance(exc, RateLimited):
        wait = f" in about {int(exc.retry_after) + 1} s" if exc.retry_after else " in a minute"
        return f":hourglass: Confluence is busy (rate limited). Please try again{wait}."
    if isinstance(exc, BadRequest):
        detail = f": {mrkdwn_escape(exc.detail)}" if exc.detail else ""
        return f":x: Confluence refused the request{detail}"
    if isinstance(exc, ServerError):
        return ":cloud: Confluence is unavailable right now. Please try again in a few minutes."
    if isinstance(exc, ConnectionServiceUnreachable):
        return (
            ":electric_plug: I couldn't reach Maton's connection service (network or timeout), "
            "so your Confluence connection wasn't changed or checked. Please try again shortly."
        )
    if isinstance(exc, TransportError):
        return ":electric_plug: I couldn't reach Confluence (network or timeout). Please try again shortly."
    return ":x: Something went wrong talking to Confluence. Please try again."


def missing_spaces(keys: Sequence[str]) -> str:
    """Spaces that do not exist or that the user cannot see (Confluence does not say which),
    each key quoted once."""
    quoted = ", ".join(f"`{mrkdwn_escape(key)}`" for key in keys)
    if len(keys) == 1:
        said = f"There's no space {quoted}, or you can't see it."
    else:
        said = f"There are no spaces {quoted}, or you can't see them."
    return f":mag: {said} Check the key in the space's URL: …/spaces/KEY/…"


def short_message(exc: ConfluenceError | IdentityRequired) -> str:
    """At most 75 characters of plain text (Slack's limit for an option's text)."""
    if isinstance(exc, ReconnectNeeded | ExpiredGrant):
        return "⚠ Your connection stopped working: run /confluence connect"
    if isinstance(exc, ConnectionPending):
        return "⚠ Finish connecting first: /confluence connect"
    if isinstance(exc, IdentityRequired | NoConnection):
        return "⚠ Connect your account first: /confluence connect"
    if isinstance(exc, AuthError | PermissionDenied):
        return "⚠ Confluence refused access: see /confluence whoami"
    if isinstance(exc, RateLimited):
        return "⚠ Confluence is busy — type again in a moment"
    return "⚠ Confluence isn't answering — try again"
