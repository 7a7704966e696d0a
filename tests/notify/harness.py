"""The notify service over the Confluence fake (real client and source), a real store, and a
recording Slack poster that keeps channels, threads and marks like Slack does."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.confluence import ConfluenceClient
from bot.delivery import DeliveryMark, PauseReason
from bot.notify.compose import NotifyMessage
from bot.notify.confluence import ConfluenceActivity
from bot.notify.models import NewNotifySubscription, NotifyFilters, NotifySubscription
from bot.notify.ports import Identity, IdentityLost
from bot.notify.service import NotifyService
from bot.store import Store
from tests.confluence.conftest import FakeClock, gateway_client
from tests.fakes.confluence_fake import FakeConfluence

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
ADA, BOB, EVE = "acc-ada", "acc-bob", "acc-eve"
TEAM = "T1"


class Crash(BaseException):
    """A process dying: nothing of it catches this."""


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    metadata: dict[str, Any]
    thread_ts: str | None = None
    edits: int = 0


@dataclass
class RecordingPoster:
    """Channels as Slack keeps them; `fail` queues refusals for the next posts or updates."""

    messages: list[Message] = field(default_factory=list)
    told: list[tuple[str, str, tuple[str, ...], str]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)
    crash_after: int | None = None  # the process dies once this many posts were accepted
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def fail(self, exc: Exception, times: int = 1) -> None:
        self.failures += [exc] * times

    def in_channel(self, channel: str) -> list[Message]:
        return [m for m in self.messages if m.channel == channel and m.thread_ts is None]

    def replies(self, channel: str, ts: str) -> list[Message]:
        return [m for m in self.messages if m.channel == channel and m.thread_ts == ts]

    def _check(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    async def post(
        self,
        channel_id: str,
        message: NotifyMessage,
        mark: DeliveryMark,
        *,
        thread_ts: str | None = None,
    ) -> str:
        self.calls.append("post" if thread_ts is None else "reply")
        self._check()
        ts = f"{1700000000 + next(self._ts)}.000100"
        self.messages.append(
            Message(channel_id, ts, message.text, message.blocks, mark.metadata(), thread_ts)
        )
        if self.crash_after is not None and len(self.messages) >= self.crash_after:
            self.crash_after = None
            raise Crash("the process died after Slack took the message")
        return ts

    async def update(
        self, channel_id: str, ts: str, message: NotifyMessage, mark: DeliveryMark
    ) -> str:
        self.calls.append("update")
        self._check()
        (found,) = [m for m in self.messages if m.channel == channel_id and m.ts == ts]
        found.text, found.blocks, found.metadata = message.text, message.blocks, mark.metadata()
        found.edits += 1
        return ts

    async def find_posted(
        self, channel_id: str, mark: DeliveryMark, since: datetime, *, thread_ts: str | None = None
    ) -> str | None:
        self.calls.append("history")
        for m in self.messages:
            # History lists the channel's own messages; replies are read by thread.
            if m.channel == channel_id and m.thread_ts == thread_ts and mark.found_in(m.metadata):
                return m.ts
        return None

    async def tell_paused(
        self, owner: str, reason: PauseReason, space_keys: Sequence[str], channel_id: str
    ) -> None:
        keys = tuple(dict.fromkeys(space_keys))  # as the Slack poster: one label per space
        self.told.append((owner, reason.stored, keys, channel_id))


@dataclass
class FixedIdentities:
    """Each owner's connection (as linked); an owner absent here has lost theirs."""

    connections: dict[str, Identity] = field(default_factory=dict)
    slack_of: dict[str, str] = field(default_factory=dict)  # account id -> Slack user

    async def resolve(
        self, owners: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], Identity | IdentityLost]:
        return {
            owner: self.connections[owner[1]] if owner[1] in self.connections else IdentityLost()
            for owner in owners
        }

    async def slack_users(self, team_id: str, account_ids: Collection[str]) -> dict[str, str]:
        return {a: self.slack_of[a] for a in account_ids if a in self.slack_of}


def make_site() -> FakeConfluence:
    site = FakeConfluence()
    site.freeze_time(T0)
    for account, name in ((ADA, "Ada Lovelace"), (BOB, "Bob Babbage"), (EVE, "Eve Hidden")):
        site.add_user(account, name)
        site.add_connection(f"conn-{account}", account_id=account)
    site.add_space("ENG", "Engineering")
    site.add_space("OPS", "Operations")
    site.add_space("SEC", "Security")
    site.restrict_space("SEC", [EVE])
    return site


@dataclass
class Notify:
    site: FakeConfluence
    store: Store
    client: ConfluenceClient
    poster: RecordingPoster = field(default_factory=RecordingPoster)
    identities: FixedIdentities = field(
        default_factory=lambda: FixedIdentities({"UADA": f"conn-{ADA}", "UBOB": f"conn-{BOB}"})
    )
    service: NotifyService | None = None

    def build(self, **options: Any) -> NotifyService:
        self.service = NotifyService(
            self.store,
            ConfluenceActivity(self.client),
            self.poster,
            self.identities,
            batch_seconds=3600,  # written at the end of each round (flush)
            **options,
        )
        return self.service

    async def subscribe(
        self,
        channel: str,
        space: str,
        owner: str = "UADA",
        filters: NotifyFilters | None = None,
        at: datetime | None = None,
    ) -> NotifySubscription:
        new = NewNotifySubscription(
            TEAM,
            channel,
            space,
            self.site.space_ids_by_key[space],
            owner,
            filters or NotifyFilters(),
        )
        (sub,) = await self.store.notify.add([new], now=at or self.site.now())
        return sub

    async def tick(self, after: timedelta | None = None) -> Any:
        """A round at the site's time (moved on by `after` first)."""
        if after is not None:
            self.site.advance(after)
        service = self.service or self.build()
        return await service.tick(self.site.now())


def client_for(site: FakeConfluence) -> ConfluenceClient:
    return gateway_client(site, FakeClock())
