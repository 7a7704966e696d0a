"""Digest delivery: find what is due, claim it, fetch once per space, post once per channel.

Exactly once across processes comes from ``bot.delivery``: one claim per (subscription, period
key) in the database, and Slack message metadata naming the claims, so a process that takes
over the claim of one that died after posting finds that message instead of posting again (if
the history cannot be read, the digest is posted: at least once rather than lost). APScheduler
only decides *when* to look. The service depends on ports it owns (``bot.digest.ports``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import defaultdict
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeVar

from bot.delivery import (
    BATCH_SECONDS,
    AccessLost,
    ChannelGone,
    Claim,
    ClaimKey,
    Courier,
    DeliveryMark,
    Failed,
    Paused,
    PauseReason,
    Receipt,
    SourceGone,
)
from bot.digest.compose import SpacePosts, compose_digest
from bot.digest.fetch import Job, fetch_posts
from bot.digest.ports import EVENT_TYPE, BlogSource, Clock, DigestPoster, DigestStore, SystemClock
from bot.digest.schedule import Frequency, Schedule, Weekday, due_at_or_before, period_key
from bot.store import DIGEST_DELIVERY_KIND, LastDelivered, Subscription
from bot.store import Schedule as StoredSchedule

__all__ = [
    "ChannelResult",
    "DigestService",
    "NowReport",
    "Outcome",
    "TickReport",
    "claim_key",
    "schedule_from_store",
    "schedule_to_store",
]

log = logging.getLogger("bot.digest")

FIRST_WINDOW = timedelta(days=7)  # what a first digest covers
MAX_WINDOW = timedelta(days=14)  # never reach further back (e.g. after a long pause)

T = TypeVar("T")

Outcome = Literal["posted", "empty", "already_posted", "retry", "paused", "lost_claim"]


def schedule_from_store(stored: StoredSchedule) -> Schedule:
    weekday = Weekday(stored.weekday) if stored.weekday is not None else None
    return Schedule(Frequency(stored.kind), stored.hour, stored.minute, stored.tz, weekday)


def schedule_to_store(schedule: Schedule) -> StoredSchedule:
    weekday = int(schedule.weekday) if schedule.weekday is not None else None
    return StoredSchedule(
        schedule.frequency.value, schedule.hour, schedule.minute, schedule.tz, weekday
    )


def claim_key(subscription_id: int, period: str) -> ClaimKey:
    """The delivery of one subscription's digest for one period."""
    return ClaimKey(DIGEST_DELIVERY_KIND, str(subscription_id), period)


@dataclass(frozen=True, slots=True)
class ChannelResult:
    team_id: str
    channel_id: str
    outcome: Outcome
    space_keys: tuple[str, ...]
    post_count: int = 0
    ts: str | None = None
    detail: str = ""
    claims: tuple[ClaimKey, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def of(
        cls,
        outcome: Outcome,
        jobs: Sequence[Job],
        *,
        post_count: int = 0,
        ts: str | None = None,
        detail: str = "",
        claims: Sequence[Claim] = (),
    ) -> ChannelResult:
        sub = jobs[0].sub
        keys = tuple(job.sub.space_key for job in jobs)
        posted = tuple(claim.key for claim in claims)
        return cls(sub.team_id, sub.channel_id, outcome, keys, post_count, ts, detail, posted)


@dataclass(frozen=True, slots=True)
class TickReport:
    due: int  # subscriptions due and claimed by this process
    results: tuple[ChannelResult, ...]

    @property
    def posted(self) -> int:
        return sum(1 for r in self.results if r.outcome == "posted")


@dataclass(frozen=True, slots=True)
class NowReport:
    results: tuple[ChannelResult, ...]
    busy: tuple[str, ...] = ()  # space keys another process is delivering right now
    unknown: tuple[str, ...] = ()  # requested space keys this channel is not subscribed to
    subscribed: int = 0  # active subscriptions considered


class DigestService:
    def __init__(
        self,
        store: DigestStore,
        source: BlogSource,
        poster: DigestPoster,
        *,
        clock: Clock | None = None,
        grace: timedelta = timedelta(hours=6),
        lease: timedelta = timedelta(minutes=5),
        owner: str | None = None,
        concurrency: int = 8,
        batch_seconds: float = BATCH_SECONDS,
    ) -> None:
        self._subscriptions = store.subscriptions
        self._source = source
        self._poster = poster
        self._courier = Courier(
            store.deliveries, poster, owner=owner, lease=lease, batch_seconds=batch_seconds
        )
        self._clock = clock or SystemClock()
        self._grace = grace
        self.owner = self._courier.owner
        self._concurrency = concurrency  # channels handled at once (Slack paces per channel)

    # ------------------------------------------------------------------ entry points

    async def tick(self) -> TickReport:
        """Deliver every digest that is due (or missed within the grace period) and unclaimed."""
        now = self._clock.now().astimezone(UTC)

        @functools.cache  # many subscriptions share a schedule
        def period(stored: StoredSchedule) -> tuple[datetime, str] | None:
            schedule = schedule_from_store(stored)
            due = due_at_or_before(schedule, now)
            return None if due is None else (due, period_key(schedule, due))

        candidates: list[tuple[Subscription, str, datetime]] = []
        for sub in await self._subscriptions.list_active():
            try:
                found = period(sub.schedule)
            except ValueError as exc:  # e.g. a time zone this Python no longer knows
                log.warning("digest skipped subscription=%s bad schedule: %s", sub.id, exc)
                continue
            if found is None:
                continue
            due, key = found
            if now - due > self._grace or due < sub.created_at:
                continue
            if sub.last_delivered_at is not None and sub.last_delivered_at >= due:
                continue  # cheap pre-check; the claim below is what guarantees exactly once
            candidates.append((sub, key, due))
        jobs = await self._claim(candidates, now)
        results = await self._deliver(jobs, now)
        report = TickReport(len(jobs), tuple(results))
        log.debug(
            "digest tick done candidates=%d claimed=%d posted=%d",
            len(candidates),
            report.due,
            report.posted,
        )
        return report

    async def deliver_now(
        self, team_id: str, channel_id: str, space_keys: Sequence[str] = ()
    ) -> NowReport:
        """Post this channel's digest immediately; it counts as the current period's digest.

        If the current period was already delivered, the extra digest gets a claim of its own
        (per minute, so a double click posts once) and only moves the window forward.
        """
        now = self._clock.now().astimezone(UTC)
        subs = [
            s
            for s in await self._subscriptions.list_by_channel(team_id, channel_id)
            if not s.paused and (not space_keys or s.space_key in space_keys)
        ]
        unknown = tuple(k for k in space_keys if k not in {s.space_key for s in subs})
        wanted: list[tuple[Subscription, str, datetime]] = []
        for sub in subs:
            schedule = schedule_from_store(sub.schedule)
            due = due_at_or_before(schedule, now) or now
            key = period_key(schedule, due)
            if await self._courier.is_delivered(claim_key(sub.id, key)):
                key, due = f"now:{now:%Y-%m-%dT%H:%M}", now
            wanted.append((sub, key, due))
        # A failed attempt is not in flight: the user's retry takes it over at once.
        jobs = await self._claim(wanted, now, manual=True)
        claimed = {job.sub.id for job in jobs}
        busy = tuple(sub.space_key for sub in subs if sub.id not in claimed)
        results = await self._deliver(jobs, now)
        return NowReport(tuple(results), busy, unknown, len(subs))

    # ------------------------------------------------------------------ claiming

    async def _claim(
        self,
        wanted: Sequence[tuple[Subscription, str, datetime]],
        now: datetime,
        *,
        manual: bool = False,
    ) -> list[Job]:
        """Claim these (subscription, period key, due) at once; a job for each one claimed."""
        by_key = {claim_key(sub.id, key): (sub, due) for sub, key, due in wanted}
        claims = await self._courier.claim(by_key, now, skip_backoff=manual) if by_key else []
        return [
            Job(sub, claim, self._since(sub, now), due)
            for claim in claims
            for sub, due in [by_key[claim.key]]
        ]

    @staticmethod
    def _since(sub: Subscription, now: datetime) -> datetime:
        if sub.last_delivered_at is None:
            return now - FIRST_WINDOW
        return max(sub.last_delivered_at, now - MAX_WINDOW)

    async def _bounded(self, coros: Iterable[Awaitable[T]]) -> list[T]:
        """Run independent per-subscription or per-channel steps a few at a time."""
        limit = asyncio.Semaphore(self._concurrency)

        async def one(coro: Awaitable[T]) -> T:
            async with limit:
                return await coro

        return list(await asyncio.gather(*(one(c) for c in coros)))

    # ------------------------------------------------------------------ delivering

    async def _deliver(self, jobs: list[Job], now: datetime) -> list[ChannelResult]:
        """Deliver the claimed jobs, one message per channel; returns once every outcome is
        recorded (in batches: see bot.delivery.recorder)."""
        if not jobs:
            return []
        await fetch_posts(self._source, jobs)
        channels: dict[tuple[str, str], list[Job]] = defaultdict(list)
        for job in jobs:
            channels[(job.sub.team_id, job.sub.channel_id)].append(job)
        try:
            per_channel = await self._bounded(
                self._deliver_channel(channel_jobs, now) for channel_jobs in channels.values()
            )
        finally:
            lost = {claim.key for claim in await self._courier.flush()}
        results = [result for results in per_channel for result in results]
        return [_lost_if(result, lost) for result in results]

    async def _deliver_channel(self, jobs: list[Job], now: datetime) -> list[ChannelResult]:
        if any(job.problem == "unavailable" for job in jobs):
            # One tidy message per channel: rather wait than post a partial digest now.
            await self._courier.retry_later(_claims(jobs), "confluence unavailable", now)
            return [ChannelResult.of("retry", jobs, detail="Confluence is unavailable")]
        results = []
        broken = [job for job in jobs if job.problem is not None]
        if broken:
            for reason, problem in ((SourceGone(), "space_gone"), (AccessLost(), "access_lost")):
                if hit := [job for job in broken if job.problem == problem]:
                    await self._pause(hit, reason, now)
            detail = "space deleted or Confluence access lost"
            results.append(ChannelResult.of("paused", broken, detail=detail))
        ready = [job for job in jobs if job.problem is None]
        if ready:
            results.append(await self._post(ready, now))
        return results

    async def _post(self, jobs: list[Job], now: datetime) -> ChannelResult:
        channel_id = jobs[0].sub.channel_id
        claims = _claims(jobs)
        mark = DeliveryMark.of(EVENT_TYPE, (claim.key for claim in claims))
        since = min(job.due for job in jobs)
        found = await self._courier.find_earlier(channel_id, claims, mark, since)
        if found is not None:
            window_end = datetime.fromtimestamp(float(found), UTC)
            advance = _advance(jobs, window_end, now)
            await self._courier.delivered(claims, Receipt(channel_id, found), now, then=advance)
            return ChannelResult.of("already_posted", jobs, ts=found)
        spaces = [
            SpacePosts(j.space.key, j.space.name, j.space.blog_url, j.posts)
            for j in jobs
            if j.space is not None
        ]
        message = compose_digest(spaces, now=now)
        if message is None:
            advance = _advance(jobs, now, now)
            await self._courier.delivered(claims, Receipt(channel_id, ""), now, then=advance)
            return ChannelResult.of("empty", jobs)
        sent = await self._courier.send(
            channel_id,
            claims,
            lambda: self._poster.post(channel_id, message, mark),
            now,
            then=_advance(jobs, now, now),
        )
        if isinstance(sent, ChannelGone):
            await self._pause(jobs, sent, now)
            return ChannelResult.of("paused", jobs, detail=sent.code)
        if isinstance(sent, Failed):
            return ChannelResult.of("retry", jobs, detail=sent.reason)
        log.info(
            "digest posted channel=%s spaces=%s posts=%d ts=%s",
            channel_id,
            ",".join(j.sub.space_key for j in jobs),
            message.post_count,
            sent.ts,
        )
        return ChannelResult.of(
            "posted", jobs, post_count=message.post_count, ts=sent.ts, claims=claims
        )

    async def _pause(self, jobs: list[Job], reason: PauseReason, now: datetime) -> None:
        for job in jobs:
            await self._subscriptions.pause(job.sub.id, reason.stored, now=now)
            log.warning("digest paused subscription=%s reason=%s", job.sub.id, reason.stored)
        paused = [
            Paused(j.claim, j.sub.created_by, j.sub.channel_id, j.sub.space_key) for j in jobs
        ]
        await self._courier.pause(paused, reason, now, self._poster.notify_paused)


def _claims(jobs: Iterable[Job]) -> list[Claim]:
    return [job.claim for job in jobs]


def _advance(jobs: Iterable[Job], window_end: datetime, now: datetime) -> list[LastDelivered]:
    """Each subscription's window moves forward: its next digest starts at `window_end`
    (written with the deliveries' records)."""
    return [LastDelivered(job.sub.id, window_end, now) for job in jobs]


def _lost_if(result: ChannelResult, lost: set[ClaimKey]) -> ChannelResult:
    """A posted digest whose claims another process took over meanwhile (it finds this
    message by its mark and posts nothing)."""
    if result.outcome == "posted" and any(key in lost for key in result.claims):
        return replace(result, outcome="lost_claim")
    return result
