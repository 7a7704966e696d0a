"""What the write use cases need from the outside world, owned here and implemented elsewhere.

The Slack adapters live in ``bot.slack.write.adapters``; the store is ``bot.store.Store`` (it
fits these protocols as it is); tests use recording fakes (tests/write/fakes.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.confluence import ConfluenceClient
from bot.convert import Names, References
from bot.store import SaveClaim, ThreadPage, ThreadSave
from bot.write.errors import NotAllowed, ThreadUnavailable
from bot.write.files import FileSkipped, SlackFile

__all__ = [
    "Background",
    "ConfluenceAccess",
    "FileSource",
    "NameDirectory",
    "NotAllowed",
    "Notifier",
    "Recipient",
    "SaveRecords",
    "SubmissionRecords",
    "ThreadKey",
    "ThreadPages",
    "ThreadReply",
    "ThreadSource",
    "ThreadUnavailable",
    "WriteStore",
]

ThreadKey = tuple[str, str, str]  # team, channel, thread_ts


# --------------------------------------------------------------------------- who acts


class ConfluenceAccess(Protocol):
    async def client_for(self, team_id: str | None, user_id: str) -> ConfluenceClient:
        """The client that acts for this user (their own connection, or the shared one).

        Raises NotAllowed."""
        ...

    async def attribution_for(
        self, team_id: str | None, user_id: str, user_name: str
    ) -> str | None:
        """The line added to what the user writes through a shared identity (None: their own)."""
        ...


class Recipient(Protocol):
    """Whom an answer is for, and where they acted (None: nowhere, e.g. a global shortcut)."""

    @property
    def team_id(self) -> str | None: ...

    @property
    def user_id(self) -> str: ...

    @property
    def channel_id(self) -> str | None: ...


# --------------------------------------------------------------------------- Slack side


class ThreadSource(Protocol):
    async def messages(self, channel_id: str, thread_ts: str) -> list[dict[str, Any]]:
        """The parent and every reply, oldest first. Raises ThreadUnavailable."""
        ...

    async def permalink(self, channel_id: str, ts: str) -> str | None:
        """A link to the message, or None when Slack gives none."""
        ...


class FileSource(Protocol):
    async def download(self, files: Sequence[SlackFile]) -> dict[str, bytes | FileSkipped]:
        """Each file's bytes, or why it was not copied, by file id."""
        ...


class NameDirectory(Protocol):
    """Names of people, channels and groups, each looked up once (one directory per save)."""

    async def names_for(self, refs: References) -> Names: ...

    async def display_name(self, user_id: str) -> str: ...

    async def tz(self, user_id: str) -> ZoneInfo: ...

    async def channel_name(self, channel_id: str) -> str: ...


class ThreadReply(Protocol):
    async def announce(
        self, channel_id: str, thread_ts: str, title: str, url: str, *, created: bool
    ) -> None:
        """Say in the thread where it is saved (`created`: the page is new). Never raises."""
        ...


class Notifier(Protocol):
    async def tell(self, user_id: str, channel_id: str | None, text: str) -> None:
        """Tell one user privately (in the channel, else a DM). Never raises for Slack's refusals."""
        ...

    async def tell_failure(self, user_id: str, channel_id: str | None) -> None:
        """Tell them something unexpected went wrong (called while the failure is handled)."""
        ...


class Background(Protocol):
    def spawn(
        self,
        coro: Coroutine[Any, Any, Any],
        *,
        name: str,
        about: str = "",
        on_error: Callable[[], Awaitable[object]] | None = None,
    ) -> object:
        """Run `coro` after the ack; an unexpected failure is logged, then `on_error` runs."""
        ...


# --------------------------------------------------------------------------- the store


class SaveRecords(Protocol):
    """Saves in progress: a lease per thread and the intent to create (bot.store.saves)."""

    async def claim(
        self,
        key: ThreadKey,
        *,
        owner: str,
        request: str,
        user_id: str,
        lease_seconds: float,
        resuming: bool = False,
    ) -> SaveClaim | None: ...

    async def renew(self, key: ThreadKey, owner: str, lease_seconds: float) -> bool: ...

    async def creating(self, key: ThreadKey, owner: str, title: str, space_id: str) -> bool: ...

    async def created(self, key: ThreadKey, owner: str, page_id: str) -> bool: ...

    async def finish(self, key: ThreadKey, owner: str) -> bool: ...

    async def fail(self, key: ThreadKey, owner: str) -> None: ...

    async def stalled(self) -> list[ThreadSave]: ...


class ThreadPages(Protocol):
    """Which page each saved thread went to (bot.store.threads)."""

    async def get(self, team_id: str, channel_id: str, thread_ts: str) -> ThreadPage | None: ...

    async def put(
        self,
        *,
        team_id: str,
        channel_id: str,
        thread_ts: str,
        page_id: str,
        space_id: str,
        site_id: str,
        title: str,
        created_by: str,
        now: datetime | None = None,
    ) -> ThreadPage: ...


class SubmissionRecords(Protocol):
    """Claims and results of form submissions (idempotency keys)."""

    async def claim_once(self, key: str, ttl_seconds: float) -> bool: ...

    async def get_result(self, key: str) -> str | None: ...

    async def remember_result(self, key: str, value: str) -> bool: ...


class WriteStore(SubmissionRecords, Protocol):
    @property
    def saves(self) -> SaveRecords: ...

    @property
    def threads(self) -> ThreadPages: ...
