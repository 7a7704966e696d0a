"""The subscription use cases of channel notifications: subscribe (checked as the subscriber),
list, unsubscribe, pause, resume (checked again as each owner), forget a user.

Who may change a subscription someone else set up is the Slack side's rule (a workspace admin,
...): it is asked through `may_manage_others`, only when someone else's subscription is at stake.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.confluence.urls import parse_web_url
from bot.notify.commands import SubscribeCommand, UnderPage
from bot.notify.models import NewNotifySubscription, NotifySubscription, manual_pause
from bot.notify.ports import (
    NotifySubscriptionStore,
    PageRef,
    Readers,
    ReaderUnavailable,
    SpaceReader,
    SpaceRef,
)

__all__ = [
    "Changed",
    "ForeignPage",
    "MayManageOthers",
    "NotTheirs",
    "PageElsewhere",
    "PageNotFound",
    "Refusal",
    "Resumed",
    "Subscribed",
    "Subscriber",
    "SubscriptionService",
    "UnknownSpaces",
]

log = logging.getLogger("bot.notify")

# Asked (at most once per use case) when the caller acts on someone else's subscription.
MayManageOthers = Callable[[], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Subscriber:
    """Who runs a command, and in which channel (team "" when Slack sent none)."""

    team_id: str
    user_id: str
    channel_id: str


# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True, slots=True)
class Subscribed:
    rows: list[NotifySubscription]
    replaced: frozenset[str]  # keys this channel already followed (their filters replaced)
    under: PageRef | None = None
    label_unused: bool = False  # nothing in the spaces carries the label yet (a typo?)


@dataclass(frozen=True, slots=True)
class ForeignPage:
    """The `under:` link is to another Confluence site than the app's."""

    link_host: str
    site_host: str


@dataclass(frozen=True, slots=True)
class UnknownSpaces:
    keys: tuple[str, ...]  # not there, or the subscriber may not see them


@dataclass(frozen=True, slots=True)
class PageNotFound:
    page_id: str  # not there, or the subscriber may not see it


@dataclass(frozen=True, slots=True)
class PageElsewhere:
    """The `under:` page exists but in another space than the one subscribed."""

    page: PageRef
    space_key: str


@dataclass(frozen=True, slots=True)
class NotTheirs:
    """Someone else set these up, and the caller may not take them over or change them."""

    subscriptions: list[NotifySubscription]


Refusal = ForeignPage | UnknownSpaces | PageNotFound | PageElsewhere | NotTheirs


@dataclass(frozen=True, slots=True)
class Changed:
    """What unsubscribe or pause did to the channel's subscriptions."""

    done: list[NotifySubscription] = field(default_factory=list)
    refused: list[NotifySubscription] = field(default_factory=list)  # someone else's
    unknown: list[str] = field(default_factory=list)  # keys the channel does not follow
    unchanged: list[NotifySubscription] = field(default_factory=list)  # already so


@dataclass(frozen=True, slots=True)
class Resumed:
    changed: Changed
    gone: list[NotifySubscription] = field(default_factory=list)  # the owner can't see the space
    owner_unavailable: list[NotifySubscription] = field(default_factory=list)


# --------------------------------------------------------------------------- the service


class SubscriptionService:
    def __init__(self, store: NotifySubscriptionStore, readers: Readers) -> None:
        self._store = store
        self._readers = readers

    async def subscribe(
        self, who: Subscriber, command: SubscribeCommand, may_manage_others: MayManageOthers
    ) -> Subscribed | Refusal:
        """Check everything as the subscriber, then save every space's row in one transaction.

        Raises ReaderUnavailable (the subscriber must connect first) or ConfluenceError."""
        reader = await self._readers.reader_for(who.team_id, who.user_id)
        checked = await _checked(reader, command)
        if not isinstance(checked, tuple):
            return checked
        chosen, under = checked
        label_unused = command.label is not None and not await reader.label_in_use(
            command.label, [space.key for space in chosen]
        )
        existing = {
            s.space_key.upper(): s
            for s in await self._store.in_channel(who.team_id, who.channel_id)
        }
        followed = [
            existing[space.key.upper()] for space in chosen if space.key.upper() in existing
        ]
        others = [s for s in followed if s.created_by != who.user_id]
        if others and not await may_manage_others():
            return NotTheirs(others)
        rows = await self._store.add([_new_row(who, command, space, under) for space in chosen])
        _log("subscribed", who, rows)
        return Subscribed(rows, frozenset(s.space_key for s in followed), under, label_unused)

    async def in_channel(self, team_id: str, channel_id: str) -> list[NotifySubscription]:
        return await self._store.in_channel(team_id, channel_id)

    async def of_user(self, team_id: str, user_id: str) -> list[NotifySubscription]:
        return await self._store.by_user(team_id, user_id)

    async def unsubscribe(
        self,
        who: Subscriber,
        space_keys: Sequence[str] | None,
        may_manage_others: MayManageOthers,
    ) -> Changed:
        """Remove the channel's subscriptions to these spaces (None: all of them; then nothing
        is removed when any of them is someone else's the caller may not remove)."""
        picked = await self._pick(who, space_keys, may_manage_others)
        if space_keys is None and picked.refused:
            return Changed(refused=picked.refused)
        removed: list[NotifySubscription] = []
        for sub in picked.done:
            removed += await self._store.remove(sub.team_id, sub.channel_id, sub.space_key)
        _log("unsubscribed", who, removed)
        return Changed(removed, picked.refused, picked.unknown)

    async def pause(
        self, who: Subscriber, space_keys: Sequence[str] | None, may_manage_others: MayManageOthers
    ) -> Changed:
        """Pause the channel's active subscriptions (a pause the app made keeps its reason)."""
        picked = await self._pick(who, space_keys, may_manage_others)
        active = [s for s in picked.done if not s.paused]
        await self._store.set_paused([s.id for s in active], manual_pause(who.user_id))
        _log("paused", who, active)
        unchanged = [s for s in picked.done if s.paused]
        return Changed(active, picked.refused, picked.unknown, unchanged)

    async def resume(
        self, who: Subscriber, space_keys: Sequence[str] | None, may_manage_others: MayManageOthers
    ) -> Resumed:
        """Resume the channel's paused subscriptions, whatever paused them, once each owner's
        identity sees its space again (the Slack side has checked the channel). Raises
        ConfluenceError when Confluence cannot answer now."""
        picked = await self._pick(who, space_keys, may_manage_others)
        paused = [s for s in picked.done if s.paused]
        back, gone, unavailable = await self._visible_again(paused)
        await self._store.set_paused([s.id for s in back], None)
        _log("resumed", who, back)
        unchanged = [s for s in picked.done if not s.paused]
        changed = Changed(back, picked.refused, picked.unknown, unchanged)
        return Resumed(changed, gone, unavailable)

    async def forget(self, team_id: str, user_id: str) -> int:
        """The user disconnected: the subscriptions they own go (nobody could read them as
        that user any more)."""
        removed = await self._store.forget_user(team_id, user_id)
        if removed:
            log.info("notify forgot team=%s user=%s subscriptions=%s", team_id, user_id, removed)
        return removed

    async def _pick(
        self, who: Subscriber, space_keys: Sequence[str] | None, may_manage_others: MayManageOthers
    ) -> Changed:
        """The channel's subscriptions named (None: all), split by whether the caller may act."""
        subs = await self._store.in_channel(who.team_id, who.channel_id)
        by_key = {s.space_key.upper(): s for s in subs}
        if space_keys is None:
            wanted, unknown = subs, []
        else:
            wanted = [by_key[k.upper()] for k in space_keys if k.upper() in by_key]
            unknown = [k for k in space_keys if k.upper() not in by_key]
        others = [s for s in wanted if s.created_by != who.user_id]
        if others and await may_manage_others():
            others = []
        if others:
            log.info(
                "notify change refused team=%s channel=%s spaces=%s user=%s",
                who.team_id,
                who.channel_id,
                ",".join(s.space_key for s in others),
                who.user_id,
            )
        mine = [s for s in wanted if s not in others]
        return Changed(mine, others, unknown)

    async def _visible_again(
        self, paused: list[NotifySubscription]
    ) -> tuple[list[NotifySubscription], list[NotifySubscription], list[NotifySubscription]]:
        """(visible to their owner again, space gone or hidden, owner can't read), per owner."""
        back: list[NotifySubscription] = []
        gone: list[NotifySubscription] = []
        unavailable: list[NotifySubscription] = []
        owners: dict[tuple[str, str], list[NotifySubscription]] = {}
        for sub in paused:
            owners.setdefault((sub.team_id, sub.created_by), []).append(sub)
        for (team_id, owner), subs in owners.items():
            try:
                reader = await self._readers.reader_for(team_id, owner)
                spaces = await reader.spaces([s.space_key for s in subs])
            except ReaderUnavailable as exc:
                log.info(
                    "notify resume: owner can't read team=%s user=%s (%s)", team_id, owner, exc
                )
                unavailable += subs
                continue
            for sub in subs:
                space = spaces.get(sub.space_key.upper())
                (back if space is not None and space.id == sub.space_id else gone).append(sub)
        return back, gone, unavailable


async def _checked(
    reader: SpaceReader, command: SubscribeCommand
) -> tuple[list[SpaceRef], PageRef | None] | Refusal:
    """The spaces (in the order given) and the `under:` page, as the subscriber sees them."""
    if command.under is not None and command.under.is_link:
        foreign = _foreign(command.under, await reader.site_url())
        if foreign is not None:
            return foreign
    spaces = await reader.spaces(command.space_keys)
    missing = tuple(key for key in command.space_keys if key.upper() not in spaces)
    if missing:
        return UnknownSpaces(missing)
    chosen = [spaces[key.upper()] for key in command.space_keys]
    if command.under is None:
        return chosen, None
    page = await _under_page(reader, command.under, chosen[0])
    return (chosen, page) if isinstance(page, PageRef) else page


def _foreign(under: UnderPage, site_url: str) -> ForeignPage | None:
    link, site = parse_web_url(under.text), parse_web_url(site_url)
    if link is None or site is None or link.host == site.host:
        return None
    return ForeignPage(link.host, site.host)


async def _under_page(
    reader: SpaceReader, under: UnderPage, space: SpaceRef
) -> PageRef | PageNotFound | PageElsewhere:
    page = await reader.page(under.ref.id)
    if page is None:
        return PageNotFound(under.ref.id)
    if page.space_id != space.id:
        return PageElsewhere(page, space.key)
    return page


def _new_row(
    who: Subscriber, command: SubscribeCommand, space: SpaceRef, under: PageRef | None
) -> NewNotifySubscription:
    return NewNotifySubscription(
        team_id=who.team_id,
        channel_id=who.channel_id,
        space_key=space.key,
        space_id=space.id,
        created_by=who.user_id,
        filters=command.filters(under.id if under else None),
        under_title=under.title if under else None,
    )


def _log(what: str, who: Subscriber, subs: Sequence[NotifySubscription]) -> None:
    if subs:
        log.info(
            "notify %s team=%s channel=%s spaces=%s user=%s",
            what,
            who.team_id,
            who.channel_id,
            ",".join(s.space_key for s in subs),
            who.user_id,
        )
