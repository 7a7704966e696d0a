"""Recording fakes of bot.notify's ports: an in-memory subscription store and Confluence as each
user reads it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from bot.confluence import ServerError
from bot.notify import (
    NewNotifySubscription,
    NotifySubscription,
    PageRef,
    ReaderUnavailable,
    SpaceRef,
)

NOW = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


class MemoryStore:
    """NotifySubscriptionStore in memory; `adds` records each add's rows (one call = one
    transaction)."""

    def __init__(self) -> None:
        self.rows: dict[int, NotifySubscription] = {}
        self.adds: list[list[NewNotifySubscription]] = []
        self._next = 1

    async def add(self, rows: Sequence[NewNotifySubscription]) -> list[NotifySubscription]:
        self.adds.append(list(rows))
        saved = []
        for new in rows:
            old = next(
                (
                    s
                    for s in self.rows.values()
                    if (s.team_id, s.channel_id, s.space_key)
                    == (new.team_id, new.channel_id, new.space_key)
                ),
                None,
            )
            sub = NotifySubscription(
                id=old.id if old else self._next,
                team_id=new.team_id,
                channel_id=new.channel_id,
                space_key=new.space_key,
                space_id=new.space_id,
                created_by=new.created_by,
                filters=new.filters,
                paused_reason=None,
                created_at=old.created_at if old else NOW,
                under_title=new.under_title,
            )
            if old is None:
                self._next += 1
            self.rows[sub.id] = sub
            saved.append(sub)
        return saved

    async def get(self, subscription_id: int) -> NotifySubscription | None:
        return self.rows.get(subscription_id)

    async def in_channel(self, team_id: str, channel_id: str) -> list[NotifySubscription]:
        return [s for s in self.rows.values() if (s.team_id, s.channel_id) == (team_id, channel_id)]

    async def by_user(self, team_id: str, user_id: str) -> list[NotifySubscription]:
        return [s for s in self.rows.values() if (s.team_id, s.created_by) == (team_id, user_id)]

    async def active(self) -> list[NotifySubscription]:
        return [s for s in self.rows.values() if not s.paused]

    async def remove(
        self, team_id: str, channel_id: str, space_key: str | None
    ) -> list[NotifySubscription]:
        gone = [
            s
            for s in await self.in_channel(team_id, channel_id)
            if space_key is None or s.space_key == space_key
        ]
        for sub in gone:
            del self.rows[sub.id]
        return gone

    async def set_paused(self, ids: Sequence[int], reason: str | None) -> None:
        for i in ids:
            self.rows[i] = replace(self.rows[i], paused_reason=reason)

    async def forget_user(self, team_id: str, user_id: str) -> int:
        gone = await self.by_user(team_id, user_id)
        for sub in gone:
            del self.rows[sub.id]
        return len(gone)


@dataclass
class Site:
    """What each user sees: spaces by key, pages by id; `lost` users may not read at all."""

    url: str = "https://acme.atlassian.net"
    spaces: dict[str, SpaceRef] = field(default_factory=dict)
    pages: dict[str, PageRef] = field(default_factory=dict)
    hidden: dict[str, set[str]] = field(default_factory=dict)  # user -> space keys hidden
    labels: dict[str, set[str]] = field(default_factory=dict)  # space key -> labels used
    lost: set[str] = field(default_factory=set)
    down: bool = False
    reads: list[tuple[str, str]] = field(default_factory=list)  # (user, what)

    def add_space(self, key: str, space_id: str | None = None) -> SpaceRef:
        space = SpaceRef(space_id or f"sp-{key}", key, f"{key} space")
        self.spaces[key.upper()] = space
        return space

    def add_page(self, page_id: str, title: str, space_key: str) -> PageRef:
        page = PageRef(page_id, title, self.spaces[space_key.upper()].id)
        self.pages[page_id] = page
        return page


class SiteReader:
    def __init__(self, site: Site, user_id: str) -> None:
        self._site, self._user = site, user_id

    def _read(self, what: str) -> None:
        self._site.reads.append((self._user, what))
        if self._site.down:
            raise ServerError("GET", "/wiki/api/v2/spaces", 503, "down")

    async def site_url(self) -> str:
        self._read("site")
        return self._site.url

    async def spaces(self, keys: Sequence[str]) -> dict[str, SpaceRef]:
        self._read("spaces " + ",".join(keys))
        hidden = self._site.hidden.get(self._user, set())
        return {
            k.upper(): self._site.spaces[k.upper()]
            for k in keys
            if k.upper() in self._site.spaces and k.upper() not in hidden
        }

    async def page(self, page_id: str) -> PageRef | None:
        self._read(f"page {page_id}")
        page = self._site.pages.get(page_id)
        hidden = self._site.hidden.get(self._user, set())
        if page is None or any(self._site.spaces[k].id == page.space_id for k in hidden):
            return None
        return page

    async def label_in_use(self, label: str, space_keys: Sequence[str]) -> bool:
        self._read(f"label {label} in " + ",".join(space_keys))
        return any(label in self._site.labels.get(key, set()) for key in space_keys)


class SiteReaders:
    def __init__(self, site: Site) -> None:
        self.site = site
        self.asked: list[str] = []

    async def reader_for(self, team_id: str, user_id: str) -> SiteReader:
        self.asked.append(user_id)
        if user_id in self.site.lost:
            raise ReaderUnavailable(PermissionError(f"{user_id} must reconnect"))
        return SiteReader(self.site, user_id)
