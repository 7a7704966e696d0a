"""Channel notifications, one round at a time (`NotifyService.tick`, every NOTIFY_INTERVAL_SECONDS).

A round: the active subscriptions are grouped by the Confluence identity that reads them (the
owner's own connection, or the shared one); each group is claimed for the round (one process
polls it, whatever the number of replicas), polled (``poller``), and what its subscriptions
match is claimed per (subscription, event) and delivered channel by channel (``deliver``), the
channels side by side and each paced by Slack's ~1 message/s. The group's watermarks then move
to the round's start, except past an event whose delivery is still pending somewhere (failed and
waiting for its retry, or held by another process): that event is read again next round, and its
claim decides whether it is posted.

Pauses share bot.delivery's: a deleted or hidden space, an identity that no longer works (or an
owner who must reconnect) and a channel Slack refuses pause the subscriptions, and the owner
gets one DM per channel saying why and how to resume.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from bot.delivery import (
    BATCH_SECONDS,
    AccessLost,
    AnchorKey,
    Claim,
    ClaimKey,
    Courier,
    Paused,
    PauseReason,
    Receipt,
    SourceGone,
)
from bot.notify.deliver import ChannelOutcome, ChannelRound, Work
from bot.notify.events import Event
from bot.notify.models import NOTIFY_DELIVERY_KIND, NotifySubscription
from bot.notify.poller import Gap, Group, Poll, poll_group
from bot.notify.ports import (
    ActivitySource,
    Identities,
    IdentityLost,
    NotifyPoster,
    NotifyStore,
    SourceAccessLost,
)
from bot.notify.threads import merge_key, thread_key
from bot.polling import OVERLAP

__all__ = ["POLL_KIND", "NotifyService", "TickReport"]

log = logging.getLogger("bot.notify")

POLL_KIND = "notify-poll"  # claims of a group's round: ("notify-poll", group, round number)
LOST_GROUP = "lost"  # the round's pseudo-group of owners without a usable identity
INDEX_LAG = timedelta(minutes=1)  # Confluence's search index may lag this much
HELD_SOON = timedelta(days=1)  # a pending delivery retried within this holds its watermark
SETTLED_FOR = timedelta(minutes=30)  # beyond the overlap, how long delivered keys are remembered
GROUPS_AT_ONCE = 4
# Deliveries recorded together (a round of many small messages: fewer, larger transactions).
NOTIFY_BATCH = 1000

T = TypeVar("T")
Item = Event | Gap  # what a delivery tells


@dataclass
class TickReport:
    groups: int = 0  # groups this process polled
    events: int = 0  # events matched to subscriptions
    claimed: int = 0
    posted: int = 0
    updated: int = 0
    found: int = 0
    paused: int = 0
    failed_groups: int = 0


class NotifyService:
    def __init__(
        self,
        store: NotifyStore,
        source: ActivitySource,
        poster: NotifyPoster,
        identities: Identities,
        *,
        interval: timedelta = timedelta(seconds=60),
        merge_window: timedelta = timedelta(seconds=300),
        catch_up: timedelta = timedelta(hours=24),
        space_check: timedelta = timedelta(minutes=10),
        lease: timedelta = timedelta(minutes=5),
        owner: str | None = None,
        concurrency: int = 64,
        batch_seconds: float = BATCH_SECONDS,
    ) -> None:
        self._store = store
        self._source = source
        self._poster = poster
        self._identities = identities
        self._courier = Courier(
            store.deliveries,
            poster,
            owner=owner,
            lease=lease,
            batch_size=NOTIFY_BATCH,
            batch_seconds=batch_seconds,
        )
        self.owner = self._courier.owner
        self._interval = interval
        self._merge_window = merge_window
        self._catch_up = catch_up
        # The window reaches back past the previous round, and past the index's lag.
        self._overlap = max(OVERLAP, interval + INDEX_LAG)
        self._space_check = space_check
        self._checked: dict[str, datetime] = {}  # group key -> when its spaces were checked
        # Deliveries this process saw done (by anyone), by their event's time: the overlapping
        # windows see them again, and need not ask the database again.
        self._settled: dict[ClaimKey, datetime] = {}
        self._concurrency = concurrency

    async def tick(self, now: datetime | None = None) -> TickReport:
        """One round over every active subscription."""
        now = (now or datetime.now(UTC)).astimezone(UTC)
        report = TickReport()
        subs = await self._store.notify.active()
        if not subs:
            return report
        groups, lost = await self._groups(subs)
        number = str(int(now.timestamp() // self._interval.total_seconds()))
        wanted = {ClaimKey(POLL_KIND, group.key, number): group for group in groups}
        if lost:
            wanted[ClaimKey(POLL_KIND, LOST_GROUP, number)] = Group(None, tuple(lost))
        rounds = await self._courier.claim(wanted, now)

        async def one(claim: Claim) -> None:
            group = wanted[claim.key]
            if claim.key.subject == LOST_GROUP:
                paused = await self._pause(group.subs, AccessLost(), now)
                report.paused += paused  # (read after the await: rounds run side by side)
            else:
                await self._round(group, now, report)
            await self._courier.delivered([claim], Receipt("", ""), now)

        try:
            # Groups side by side: one waits on Confluence while another posts.
            await self._bounded((one(claim) for claim in rounds), GROUPS_AT_ONCE)
        finally:
            await self._courier.flush()
        log.debug(
            "notify tick done groups=%d events=%d claimed=%d posted=%d updated=%d paused=%d",
            report.groups,
            report.events,
            report.claimed,
            report.posted,
            report.updated,
            report.paused,
        )
        return report

    async def _groups(
        self, subs: Sequence[NotifySubscription]
    ) -> tuple[list[Group], list[NotifySubscription]]:
        owners = {(sub.team_id, sub.created_by) for sub in subs}
        resolved = await self._identities.resolve(owners)
        by_identity: dict[str | None, list[NotifySubscription]] = defaultdict(list)
        lost: list[NotifySubscription] = []
        for sub in subs:
            identity = resolved.get((sub.team_id, sub.created_by), IdentityLost())
            if isinstance(identity, IdentityLost):
                lost.append(sub)
            else:
                by_identity[identity].append(sub)
        return [Group(identity, tuple(group)) for identity, group in by_identity.items()], lost

    async def _round(self, group: Group, now: datetime, report: TickReport) -> None:
        checked = self._checked.get(group.key)
        check = checked is None or now - checked >= self._space_check
        poll = await poll_group(
            self._source,
            self._store.watermarks,
            group,
            now,
            overlap=self._overlap,
            catch_up=self._catch_up,
            check_spaces=check,
        )
        report.groups += 1
        if isinstance(poll.problem, SourceAccessLost) and group.identity is not None:
            # The owner's own connection stopped working. (The shared one failing is the app's
            # problem, not its subscribers': the next round tries again.)
            paused = await self._pause(group.subs, AccessLost(), now)
            report.paused += paused
            return
        if poll.problem is not None:
            report.failed_groups += 1
            return
        if check:
            self._checked[group.key] = now
        if poll.gone:
            paused = await self._pause(poll.gone, SourceGone(), now)
            report.paused += paused
        held = await self._deliver(poll, now, report)
        await self._courier.flush()  # the watermarks follow the records of what they cover
        if advances := poll.advances(held):
            await self._store.watermarks.advance(advances)

    async def _deliver(self, poll: Poll, now: datetime, report: TickReport) -> dict[str, datetime]:
        """Claim and deliver what the poll matched; returns, by space, the earliest event whose
        delivery is still pending (its watermark stays before it)."""
        wanted = _wanted(poll)
        report.events += len(wanted)
        self._forget_settled(now)
        wanted = {key: item for key, item in wanted.items() if key not in self._settled}
        claims = await self._courier.claim(wanted, now)
        report.claimed += len(claims)
        held = await self._held(wanted, {c.key for c in claims}, now)
        works = [_work(claim, wanted[claim.key], poll) for claim in claims]
        if not works:
            return held
        anchors = await self._store.anchors.get_many(_anchor_keys(works))
        slack_users = await self._slack_users(works)
        channels: dict[str, list[Work]] = defaultdict(list)
        for work in works:
            channels[work.sub.channel_id].append(work)
        channel_round = ChannelRound(
            self._courier,
            self._poster,
            anchors,
            slack_users,
            merge_window=self._merge_window,
            now=now,
        )
        outcomes = await self._bounded(channel_round.run(c, w) for c, w in channels.items())
        for outcome in outcomes:
            report.posted += outcome.posted
            report.updated += outcome.updated
            report.found += outcome.found
            for key, when in outcome.held.items():
                held[key] = min(held.get(key, when), when)
            paused = await self._channel_gone(outcome, now)
            report.paused += paused
        return held

    async def _held(
        self,
        wanted: dict[ClaimKey, tuple[NotifySubscription, Item]],
        claimed: set[ClaimKey],
        now: datetime,
    ) -> dict[str, datetime]:
        """Events another attempt still holds, or whose retry is pending: by space, the
        earliest (read again next round until their claims are done)."""
        others = [key for key in wanted if key not in claimed]
        if not others:
            return {}
        held: dict[str, datetime] = {}
        unfinished = {
            record.key: record for record in await self._store.deliveries.unfinished(others)
        }
        for key in others:
            sub, item = wanted[key]
            when = item.when if isinstance(item, Event) else item.start
            record = unfinished.get(key)
            if record is None:
                self._settled[key] = when  # delivered: later rounds need not ask again
                continue
            if record.status == "failed" and (
                record.next_attempt_at is None or record.next_attempt_at - now > HELD_SOON
            ):
                continue  # paused: no round retries it
            held[sub.space_key] = min(held.get(sub.space_key, when), when)
        return held

    def _forget_settled(self, now: datetime) -> None:
        """Keep the delivered keys only while windows can still reach their events."""
        horizon = now - self._overlap - SETTLED_FOR
        if self._settled and min(self._settled.values()) < horizon:
            self._settled = {k: when for k, when in self._settled.items() if when >= horizon}

    async def _slack_users(self, works: Sequence[Work]) -> dict[str, str]:
        by_team: dict[str, set[str]] = defaultdict(set)
        for work in works:
            if work.event is not None and work.event.author.account_id:
                by_team[work.sub.team_id].add(work.event.author.account_id)
        users: dict[str, str] = {}
        for team_id, accounts in by_team.items():
            users.update(await self._identities.slack_users(team_id, accounts))
        return users

    async def _channel_gone(self, outcome: ChannelOutcome, now: datetime) -> int:
        if outcome.gone is None or not outcome.left:
            return 0
        subs = {work.sub.id: work.sub for work in outcome.left}
        await self._store.notify.set_paused(sorted(subs), outcome.gone.stored)
        paused = [
            Paused(w.claim, w.sub.created_by, w.sub.channel_id, w.sub.space_key)
            for w in outcome.left
        ]
        for sub in subs.values():
            log.warning("notify paused subscription=%s reason=%s", sub.id, outcome.gone.stored)
        await self._courier.pause(paused, outcome.gone, now, self._poster.tell_paused)
        return len(subs)

    async def _pause(
        self, subs: Iterable[NotifySubscription], reason: PauseReason, now: datetime
    ) -> int:
        """Pause subscriptions that have no claim in this round; one DM per owner and channel."""
        subs = list(subs)
        if not subs:
            return 0
        await self._store.notify.set_paused([sub.id for sub in subs], reason.stored)
        told: dict[tuple[str, str], list[str]] = defaultdict(list)
        for sub in subs:
            log.warning("notify paused subscription=%s reason=%s", sub.id, reason.stored)
            told[(sub.created_by, sub.channel_id)].append(sub.space_key)
        for (owner, channel_id), keys in told.items():
            await self._poster.tell_paused(owner, reason, keys, channel_id)
        return len(subs)

    async def _bounded(self, coros: Iterable[Awaitable[T]], at_once: int = 0) -> list[T]:
        limit = asyncio.Semaphore(at_once or self._concurrency)

        async def one(coro: Awaitable[T]) -> T:
            async with limit:
                return await coro

        return list(await asyncio.gather(*(one(c) for c in coros)))


def _wanted(poll: Poll) -> dict[ClaimKey, tuple[NotifySubscription, Item]]:
    wanted: dict[ClaimKey, tuple[NotifySubscription, Item]] = {}
    for sub, event in poll.matched:
        wanted[ClaimKey(NOTIFY_DELIVERY_KIND, str(sub.id), event.id)] = (sub, event)
    for sub in poll.group.subs:
        gap = poll.gaps.get(sub.space_key)
        if gap is not None and sub.created_at < gap.end and sub not in poll.gone:
            item = f"gap:{gap.start:%Y%m%dT%H%M}"
            wanted[ClaimKey(NOTIFY_DELIVERY_KIND, str(sub.id), item)] = (sub, gap)
    return wanted


def _work(claim: Claim, wanted: tuple[NotifySubscription, Item], poll: Poll) -> Work:
    sub, item = wanted
    name = poll.space_names.get(sub.space_key, "")
    if isinstance(item, Gap):
        return Work(sub, claim, gap=item, space_name=name)
    assert isinstance(item, Event)
    return Work(sub, claim, event=item, space_name=name)


def _anchor_keys(works: Iterable[Work]) -> list[AnchorKey]:
    keys: set[AnchorKey] = set()
    for work in works:
        if work.event is None:
            continue
        keys.add(thread_key(work.sub.id, work.event))
        if (key := merge_key(work.sub.id, work.event)) is not None:
            keys.add(key)
    return sorted(keys)
