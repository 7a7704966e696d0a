"""Recording fakes for the write use cases' ports (bot.write.ports)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from bot.confluence import ConfluenceClient
from bot.convert import Names, References
from bot.write import NotAllowed, ThreadUnavailable
from bot.write.files import FileSkipped, SlackFile


@dataclass
class FakeAccess:
    """Everyone acts through one client; `refusal` makes every user refused, as the policy would."""

    client: ConfluenceClient
    refusal: str | None = None
    attribution: str | None = "Posted from Slack by someone"
    asked: list[tuple[str | None, str]] = field(default_factory=list)

    async def client_for(self, team_id: str | None, user_id: str) -> ConfluenceClient:
        self.asked.append((team_id, user_id))
        if self.refusal is not None:
            raise NotAllowed(self.refusal)
        return self.client

    async def attribution_for(
        self, team_id: str | None, user_id: str, user_name: str
    ) -> str | None:
        return self.attribution


@dataclass
class FakeThreads:
    """Slack threads by (channel, thread ts); `unavailable` refuses reading, as Slack would."""

    threads: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    unavailable: str | None = None
    reads: list[tuple[str, str]] = field(default_factory=list)
    # When set, reading waits for it: a save holds its thread (and lease) until the test says.
    gate: asyncio.Event | None = None
    waiting: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, channel_id: str, messages: list[dict[str, Any]]) -> str:
        thread_ts = str(messages[0]["ts"])
        self.threads[(channel_id, thread_ts)] = messages
        return thread_ts

    async def messages(self, channel_id: str, thread_ts: str) -> list[dict[str, Any]]:
        self.reads.append((channel_id, thread_ts))
        if self.gate is not None:
            self.waiting.set()
            await self.gate.wait()
        if self.unavailable is not None:
            raise ThreadUnavailable(self.unavailable)
        return [dict(m) for m in self.threads.get((channel_id, thread_ts), [])]

    async def permalink(self, channel_id: str, ts: str) -> str | None:
        return f"https://fake-workspace.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"


@dataclass
class FakeFiles:
    """File bytes by id; a str is the reason the file is skipped."""

    contents: dict[str, bytes | str] = field(default_factory=dict)
    downloaded: list[str] = field(default_factory=list)

    async def download(self, files: Sequence[SlackFile]) -> dict[str, bytes | FileSkipped]:
        got: dict[str, bytes | FileSkipped] = {}
        for file in files:
            self.downloaded.append(file.id)
            found = self.contents.get(file.id, "not in the fake")
            got[file.id] = found if isinstance(found, bytes) else FileSkipped(found)
        return got


@dataclass
class FakeDirectory:
    users: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    zone: str = "Europe/Berlin"
    lookups: list[str] = field(default_factory=list)

    async def names_for(self, refs: References) -> Names:
        self.lookups.extend(sorted(refs.user_ids | refs.channel_ids))
        return Names(
            users={u: self.users.get(u, u) for u in refs.user_ids},
            channels={c: self.channels.get(c, c) for c in refs.channel_ids},
        )

    async def display_name(self, user_id: str) -> str:
        return self.users.get(user_id, user_id)

    async def tz(self, user_id: str) -> ZoneInfo:
        return ZoneInfo(self.zone)

    async def channel_name(self, channel_id: str) -> str:
        return self.channels.get(channel_id, channel_id)


@dataclass
class RecordingReply:
    announced: list[tuple[str, str, str, str, bool]] = field(default_factory=list)

    async def announce(
        self, channel_id: str, thread_ts: str, title: str, url: str, *, created: bool
    ) -> None:
        self.announced.append((channel_id, thread_ts, title, url, created))


@dataclass
class RecordingNotifier:
    told: list[tuple[str, str | None, str]] = field(default_factory=list)
    failures: list[tuple[str, str | None, BaseException | None]] = field(default_factory=list)

    async def tell(self, user_id: str, channel_id: str | None, text: str) -> None:
        self.told.append((user_id, channel_id, text))

    async def tell_failure(self, user_id: str, channel_id: str | None) -> None:
        # Called while the failure is handled, as the real notifier words it from there.
        self.failures.append((user_id, channel_id, sys.exc_info()[1]))

    def texts(self) -> list[str]:
        return [text for _, _, text in self.told]


@dataclass
class Background:
    """Runs work as tasks and waits for it; records what failed unexpectedly."""

    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)

    def spawn(
        self,
        coro: Coroutine[Any, Any, Any],
        *,
        name: str,
        about: str = "",
        on_error: Callable[[], Awaitable[object]] | None = None,
    ) -> asyncio.Task[Any]:
        async def guarded() -> None:
            try:
                await coro
            except Exception:
                self.failed.append(name)
                if on_error is not None:
                    await on_error()

        task = asyncio.get_running_loop().create_task(guarded(), name=name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def idle(self) -> None:
        while self.tasks:
            await asyncio.wait(set(self.tasks))
