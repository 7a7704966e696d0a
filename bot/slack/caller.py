"""Who sent a request from Slack, and where: read once per listener from Bolt's context.

Bolt's context carries the ids (it reads them from every payload shape Slack sends: commands,
shortcuts, actions, view submissions, options loads, events); only the user's handle, which
writes through the shared identity are signed with, comes from the payload itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from slack_bolt.async_app import AsyncBoltContext


@dataclass(frozen=True, slots=True)
class Caller:
    user_id: str
    team_id: str | None  # None: single-workspace requests may carry none
    user_name: str  # the handle Slack sent with the request, else the user id
    channel_id: str | None = None  # None: no channel (App Home, a global shortcut, a modal)

    @classmethod
    def of(cls, context: AsyncBoltContext, body: Mapping[str, Any]) -> Caller:
        """The caller of this request; ValueError for one without a user (none we listen to)."""
        user_id = context.user_id
        if not user_id:
            raise ValueError(f"a {body.get('type') or 'request'} without a user")
        return cls(user_id, context.team_id, _handle(body) or user_id, context.channel_id)

    def at(self, channel_id: str | None) -> Caller:
        """The same caller, acting in `channel_id` (a modal's channel, kept in its metadata)."""
        return replace(self, channel_id=channel_id)

    @property
    def about(self) -> str:
        """For log lines: who and where."""
        return f"user={self.user_id} team={self.team_id} channel={self.channel_id}"


def _handle(body: Mapping[str, Any]) -> str | None:
    user = body.get("user")
    if isinstance(user, Mapping):  # interactivity payloads: {"id", "name" or "username", …}
        name = user.get("name") or user.get("username")
    else:  # slash commands: user_name beside user_id
        name = body.get("user_name")
    return str(name) if name else None
