"""What the personal features need from the outside world, owned here and implemented elsewhere.

Identities are the Slack side's (bot.slack.personal, from the linked users in bot.store); tasks are
read and completed in Confluence by bot.personal.confluence; the preferences are bot.store's
`PersonalPreferences`. Tests use recording fakes (tests/personal/fakes.py).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from bot.personal.tasks import Container, ContainerRef, TaskItem
from bot.store import NotificationPreferences

__all__ = [
    "Clock",
    "FeedState",
    "Identities",
    "Me",
    "NotLinked",
    "NotLinkedReason",
    "PreferenceStore",
    "SystemClock",
    "TaskSource",
]

# Why a user has no identity of their own: the app runs in direct mode (one API token for
# everyone), they never connected, they have not finished connecting, or their connection died.
NotLinkedReason = Literal["direct", "not_connected", "pending", "stale"]


class NotLinked(Exception):
    """Personal features act only as the user themselves, through their own connection."""

    def __init__(self, reason: NotLinkedReason, team_id: str | None, user_id: str) -> None:
        self.reason, self.team_id, self.user_id = reason, team_id, user_id
        super().__init__(f"not linked ({reason}): user={user_id} team={team_id}")


@dataclass(frozen=True, slots=True)
class Me:
    """A linked user: who they are in Slack and in Confluence, and their connection."""

    team_id: str  # as stored ("" when Slack sent none)
    user_id: str
    account_id: str
    connection_id: str


class Identities(Protocol):
    async def me(self, team_id: str | None, user_id: str) -> Me:
        """The user's own identity, from the store only (nothing reaches Confluence). Raises
        NotLinked."""
        ...


class TaskSource(Protocol):
    """Tasks in Confluence, read and completed as `me` (their own connection). Raises
    bot.confluence's ConfluenceError for what Confluence or the gateway refuses otherwise."""

    async def open_tasks(self, me: Me, at_most: int) -> tuple[list[TaskItem], bool]:
        """The incomplete tasks assigned to `me`, at most `at_most` (True: there are more)."""
        ...

    async def containers(
        self, me: Me, refs: Collection[ContainerRef]
    ) -> dict[ContainerRef, Container]:
        """The pages and blog posts named, read in bulk; those `me` cannot see are absent."""
        ...

    async def task(self, me: Me, task_id: str) -> TaskItem | None:
        """One task (None: it does not exist, or `me` may not see it)."""
        ...

    async def complete(self, me: Me, task_id: str) -> TaskItem | None:
        """Complete it (a no-op for a complete one). None: Confluence refuses, as it does when
        `me` may not edit its page or the task is gone."""
        ...

    async def display_names(self, me: Me, account_ids: Sequence[str]) -> dict[str, str]: ...


class FeedState(Protocol):
    """The DM feed's state for one user (bot.personal.feed's service)."""

    async def forget(self, team_id: str, user_id: str) -> None:
        """Delete it (the user disconnected)."""
        ...


class PreferenceStore(Protocol):
    async def get(self, team_id: str, slack_user_id: str) -> NotificationPreferences | None: ...

    async def set(
        self,
        team_id: str,
        slack_user_id: str,
        changes: Mapping[str, bool],
        *,
        now: datetime | None = None,
    ) -> NotificationPreferences: ...

    async def delete(self, team_id: str, slack_user_id: str) -> bool: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
