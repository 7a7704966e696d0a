"""Recording fakes for the feed service's ports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.delivery import DeliveryMark
from bot.personal import Me, Preferences
from bot.personal.feed import Activity, FeedEvent, FeedUser, Hit, Person

T0 = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
SITE = "https://acme.atlassian.net/wiki"
BOB = Person("acc-bob", "Bob Roe")


def user(n: int, status: str = "active", preferences: Preferences | None = None) -> FeedUser:
    me = Me("T1", f"U{n}", f"acc-{n}", f"conn-{n}")
    return FeedUser(me, status, preferences or Preferences())  # type: ignore[arg-type]


def mention_of(account: str, page: str, when: datetime, version: int = 1) -> Hit:
    body = f'<p>Please look, <ac:link><ri:user ri:account-id="{account}"/></ac:link>.</p>'
    return Hit(page, "page", f"Page {page}", f"{SITE}/p/{page}", BOB, version, False, body, when)


class ManualClock:
    def __init__(self, now: datetime = T0) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


@dataclass
class FakeUsers:
    users: list[FeedUser] = field(default_factory=list)
    lost_calls: list[str] = field(default_factory=list)

    async def linked(self) -> list[FeedUser]:
        return list(self.users)

    async def lost(self, me: Me, error: Exception) -> bool:
        self.lost_calls.append(me.user_id)
        return True


@dataclass
class FakeSource:
    """What each account's polls find: every hit whose time is at or after the window's start."""

    hits: dict[str, list[Hit]] = field(default_factory=dict)
    polls: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)
    requests: int = 2  # what each poll reports it sent

    async def poll(
        self, me: Me, since: datetime, until: datetime, preferences: Preferences
    ) -> Activity:
        self.polls.append((me.account_id, since, until))
        if self.failures:
            raise self.failures.pop(0)
        found = [h for h in self.hits.get(me.account_id, []) if since <= h.when <= until]
        return Activity(hits=found, requests=self.requests)


@dataclass
class Sent:
    channel: str
    ts: str
    items: list[str]
    mark: DeliveryMark


@dataclass
class RecordingPoster:
    messages: list[Sent] = field(default_factory=list)
    updates: int = 0
    failures: list[Exception] = field(default_factory=list)
    paused: list[str] = field(default_factory=list)
    history_reads: int = 0

    async def dm_channel(self, user_id: str) -> str:
        return f"D{user_id}"

    def _fail(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    async def post(self, channel_id: str, items: Sequence[FeedEvent], mark: DeliveryMark) -> str:
        self._fail()
        ts = f"{1000 + len(self.messages)}.000100"
        self.messages.append(Sent(channel_id, ts, [e.id for e in items], mark))
        return ts

    async def update(
        self, channel_id: str, ts: str, items: Sequence[FeedEvent], mark: DeliveryMark
    ) -> str:
        self._fail()
        (message,) = [m for m in self.messages if m.ts == ts]
        message.items, message.mark = [e.id for e in items], mark
        self.updates += 1
        return ts

    async def find_posted(
        self, channel_id: str, mark: DeliveryMark, since: datetime, *, thread_ts: str | None = None
    ) -> str | None:
        self.history_reads += 1
        for m in self.messages:
            if m.channel == channel_id and mark.found_in(m.mark.metadata()):
                return m.ts
        return None

    async def tell_paused(self, user_id: str) -> None:
        self.paused.append(user_id)

    def items_for(self, user_id: str) -> list[str]:
        return [i for m in self.messages if m.channel == f"D{user_id}" for i in m.items]
