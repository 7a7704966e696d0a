"""The write use cases wired to recording fakes, the Confluence fake and a SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.confluence import RetryPolicy
from bot.store import Store
from bot.write import SaveRequest, SpaceChoice, WriteService
from tests.confluence import openapi
from tests.confluence.conftest import FakeClock, gateway_client
from tests.fakes.confluence_fake import FakeConfluence
from tests.write.fakes import (
    Background,
    FakeAccess,
    FakeDirectory,
    FakeFiles,
    FakeThreads,
    RecordingNotifier,
    RecordingReply,
)

TEAM, USER, OTHER, CHANNEL = "T0001", "U0001", "U0002", "C0001"
SITE = "https://acme.atlassian.net"
THREAD_TS = "1700000000.000100"


@dataclass
class World:
    confluence: FakeConfluence
    access: FakeAccess
    store: Store
    threads: FakeThreads
    files: FakeFiles
    directory: FakeDirectory
    reply: RecordingReply
    notifier: RecordingNotifier
    background: Background
    write: WriteService
    space: dict[str, Any]

    def pages(self, title: str | None = None) -> list[Any]:
        """Current pages (of this title)."""
        return [
            item
            for item in self.confluence.by_kind.get("page", {}).values()
            if item.data["status"] == "current" and title in (None, item.data["title"])
        ]

    def creates(self) -> int:
        return len(self.confluence.requests_to("POST", r"/api/v2/pages$"))

    def seed_thread(self, replies: int, *, channel: str = CHANNEL) -> str:
        parent = {"user": USER, "text": "Deploy plan for Friday", "ts": THREAD_TS}
        messages: list[dict[str, Any]] = [parent]
        for i in range(replies):
            messages.append(
                {
                    "user": OTHER if i % 2 == 0 else USER,
                    "text": f"reply {i}",
                    "ts": f"1700000{i + 1:03d}.000200",
                    "thread_ts": THREAD_TS,
                }
            )
        return self.threads.add(channel, messages)

    def request(self, title: str, **changes: Any) -> SaveRequest:
        fields: dict[str, Any] = {
            "team_id": TEAM,
            "user_id": USER,
            "user_name": "someone",
            "channel_id": CHANNEL,
            "thread_ts": THREAD_TS,
            "message_ts": THREAD_TS,
            "title": title,
            "space": SpaceChoice(str(self.space["id"]), str(self.space["key"])),
            "parent_id": None,
            "include_replies": True,
            "idempotency_key": f"save:V1:{title}",
        }
        return SaveRequest(**{**fields, **changes})


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    fake = FakeConfluence(site_url=SITE)
    space = fake.add_space("ENG", "Engineering")
    # One attempt per request, as the Slack end-to-end harness runs it: failures show at once.
    client = gateway_client(fake, FakeClock(), retry=RetryPolicy(max_attempts=1))
    store = Store.from_url(f"sqlite:///{tmp_path}/bot.db")
    await store.migrate()
    threads, files, directory = FakeThreads(), FakeFiles(), FakeDirectory()
    directory.users.update({USER: "Some One", OTHER: "Other Person"})
    directory.channels[CHANNEL] = "general"
    reply, notifier, background = RecordingReply(), RecordingNotifier(), Background()
    access = FakeAccess(client)
    write = WriteService.build(
        access=access,
        store=store,
        source=threads,
        files=files,
        directory=lambda: directory,
        reply=reply,
        notifier=notifier,
        background=background,
    )
    yield World(
        fake, access, store, threads, files, directory, reply, notifier, background, write, space
    )
    await background.idle()
    await client.aclose()
    await store.close()
    if openapi.available():  # every Confluence request the use cases made is as documented
        assert openapi.mismatches(fake.requests) == []
