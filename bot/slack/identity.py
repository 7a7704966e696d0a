"""Who a Slack user acts as in Confluence: the resolution policy and its refusals.

Gateway mode: a user with an active Maton connection acts through it. Everyone else acts through
the shared connection (MATON_CONNECTION, or the gateway's default) when CONFLUENCE_USER_AUTH is
"optional", and is refused when it is "required". A stale connection is always refused: falling
back to the shared identity would silently act as someone else. Direct mode has one identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.store import UserConnection

UserAuth = Literal["optional", "required"]

CONNECT_FIRST = (
    ":link: This workspace asks everyone to act in Confluence as themselves. "
    "Run `/confluence connect` to connect your Atlassian account, then try again."
)
FINISH_CONNECTING = (
    ":hourglass: Your Confluence connection isn't finished yet. Run `/confluence connect`, "
    "authorise in the browser, then click *Done — check my connection*."
)
RECONNECT = (
    ":warning: Your Confluence connection stopped working (the authorization was revoked or "
    "expired). Run `/confluence connect` to reconnect, then try again."
)


class IdentityRequired(Exception):
    """The user may not act in Confluence right now; `user_text` says what to do.

    The app's own decision, made before any request reaches Confluence: not a ConfluenceError,
    so callers that act for a user catch it beside ConfluenceError (Services.on_confluence_error
    words both).
    """

    user_text = CONNECT_FIRST

    def __init__(self, team_id: str | None, user_id: str | None) -> None:
        self.team_id, self.user_id = team_id, user_id
        super().__init__(f"{type(self).__name__}: user={user_id} team={team_id}")


class NotConnected(IdentityRequired):
    """Required mode and the user has no Confluence connection."""


class ConnectionPending(IdentityRequired):
    """Required mode and the user started connecting but has not finished."""

    user_text = FINISH_CONNECTING


class ReconnectNeeded(IdentityRequired):
    """The user's own connection stopped working; they must reconnect (any mode)."""

    user_text = RECONNECT


@dataclass(frozen=True)
class Own:
    """Act through the user's own Maton connection."""

    connection_id: str
    link: UserConnection


@dataclass(frozen=True)
class Shared:
    """Act through the app's shared identity (writes carry an attribution line)."""


Decision = Own | Shared


def decide(
    *,
    direct: bool,
    user_auth: UserAuth,
    team_id: str | None,
    user_id: str | None,
    link: UserConnection | None,
) -> Decision:
    """The identity for one action, or IdentityRequired when there is none the user may use."""
    if direct:
        return Shared()
    if link is not None and link.status == "active":
        return Own(link.connection_id, link)
    if link is not None and link.status == "stale":
        raise ReconnectNeeded(team_id, user_id)
    if user_auth == "optional":
        return Shared()
    if link is not None and link.status == "pending":
        raise ConnectionPending(team_id, user_id)
    raise NotConnected(team_id, user_id)


def attribution(decision: Decision, user_name: str) -> str | None:
    """The line added to what a user writes through the shared identity."""
    if isinstance(decision, Own):
        return None
    return f"Posted from Slack by {user_name}"


def store_team(team_id: str | None) -> str:
    """The store's key for a workspace (single-workspace installs may not send a team id)."""
    return team_id or ""
