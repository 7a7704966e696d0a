"""Recording fakes for the digest service's ports, and a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.delivery import ChannelUnavailable, DeliveryMark, PauseReason, PostFailed
from bot.digest.compose import DigestMessage
from bot.digest.ports import (
    SourceAccessLost,
    SourcePost,
    SourceUnavailable,
    SpaceInfo,
)

SITE = "https://acme.atlassian.net/wiki"


class ManualClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass
class FakeSource:
    """Spaces and blog posts in memory; records every call like a remote service would see it."""

    spaces_by_id: dict[str, SpaceInfo] = field(default_factory=dict)
    posts: list[SourcePost] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[str, str | None, tuple[str, ...]]] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)  # raised by the next calls, in order

    def add_space(self, space_id: str, key: str, name: str | None = None) -> SpaceInfo:
        space = SpaceInfo(space_id, key, name or f"{key} space", f"{SITE}/spaces/{key}/blog")
        self.spaces_by_id[space_id] = space
        return space

    def add_post(
        self, space_id: str, title: str, created_at: datetime, author_id: str = "acc-1"
    ) -> SourcePost:
        key = self.spaces_by_id[space_id].key
        post = SourcePost(
            f"p{len(self.posts) + 1}",
            space_id,
            title,
            f"{SITE}/spaces/{key}/blog/{len(self.posts) + 1}",
            author_id,
            created_at,
            f"About {title}",
        )
        self.posts.append(post)
        return post

    def fail_next(self, exc: Exception | None = None, times: int = 1) -> None:
        self.failures.extend([exc or SourceUnavailable("503 from Confluence")] * times)

    def _record(self, name: str, connection: str | None, ids: Sequence[str]) -> None:
        self.calls.append((name, connection, tuple(ids)))
        if self.failures:
            raise self.failures.pop(0)

    def calls_to(self, name: str) -> list[tuple[str, str | None, tuple[str, ...]]]:
        return [c for c in self.calls if c[0] == name]

    async def spaces(
        self, connection_id: str | None, space_ids: Sequence[str]
    ) -> dict[str, SpaceInfo]:
        self._record("spaces", connection_id, space_ids)
        return {i: self.spaces_by_id[i] for i in space_ids if i in self.spaces_by_id}

    async def posts_since(
        self, connection_id: str | None, space_ids: Sequence[str], since: datetime
    ) -> list[SourcePost]:
        self._record("posts", connection_id, space_ids)
        found = [p for p in self.posts if p.space_id in space_ids and p.created_at >= since]
        return sorted(found, key=lambda p: p.created_at, reverse=True)

    async def display_names(
        self, connection_id: str | None, account_ids: Sequence[str]
    ) -> dict[str, str]:
        self._record("names", connection_id, account_ids)
        return {a: self.names[a] for a in account_ids if a in self.names}


@dataclass
class Posted:
    channel_id: str
    message: DigestMessage
    mark: DeliveryMark
    ts: str
    at: datetime


@dataclass(frozen=True)
class PauseNotice:
    creator: str
    reason: PauseReason
    space_keys: tuple[str, ...]
    channel_id: str


@dataclass
class RecordingPoster:
    clock: ManualClock
    posted: list[Posted] = field(default_factory=list)
    notices: list[PauseNotice] = field(default_factory=list)
    history_checks: int = 0
    failures: list[Exception] = field(default_factory=list)
    gone: dict[str, str] = field(default_factory=dict)  # channel -> Slack error

    async def post(self, channel_id: str, message: DigestMessage, mark: DeliveryMark) -> str:
        if channel_id in self.gone:
            raise ChannelUnavailable(self.gone[channel_id])
        if self.failures:
            raise self.failures.pop(0)
        ts = f"{self.clock.now().timestamp():.6f}"
        self.posted.append(Posted(channel_id, message, mark, ts, self.clock.now()))
        return ts

    async def find_posted(
        self, channel_id: str, mark: DeliveryMark, since: datetime, *, thread_ts: str | None = None
    ) -> str | None:
        self.history_checks += 1
        for p in self.posted:
            if p.channel_id == channel_id and p.at >= since and mark.found_in(p.mark.metadata()):
                return p.ts
        return None

    async def notify_paused(
        self, creator: str, reason: PauseReason, space_keys: Sequence[str], channel_id: str
    ) -> None:
        self.notices.append(PauseNotice(creator, reason, tuple(space_keys), channel_id))

    def in_channel(self, channel_id: str) -> list[Posted]:
        return [p for p in self.posted if p.channel_id == channel_id]


__all__ = [
    "ChannelUnavailable",
    "FakeSource",
    "ManualClock",
    "PauseNotice",
    "PostFailed",
    "Posted",
    "RecordingPoster",
    "SourceAccessLost",
    "SourceUnavailable",
]
