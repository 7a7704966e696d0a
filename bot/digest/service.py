"""Digest delivery: find what is due, claim it in the database, fetch once per space, post once
per channel.

Exactly once across processes comes from the store's claims (``Deliveries.try_claim``), one per
(subscription, period key); APScheduler only decides *when* to look. The one window a claim alone
cannot close is a process that dies after Slack accepted the message but before the claim was
marked delivered: the lease expires and another process takes over. Every digest therefore carries
Slack message metadata naming its claims, and a taken-over or retried claim first looks for that
message in the channel history; only if it is absent is the digest posted again. (If the history
cannot be read, the digest is posted: at least once rather than lost.)
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeVar

from bot.digest.compose import BlogPost, SpacePosts, compose_digest
from bot.digest.ports import (
    BlogSource,
    ChannelUnavailable,
    Clock,
    DigestMark,
    DigestPoster,
    PostFailed,
    SourceAccessLost,
    SourcePost,
    SourceUnavailable,
    SpaceInfo,
    SystemClock,
)
from bot.digest.schedule import (
    Frequency,
    Schedule,
    Weekday,
    due_at_or_before,
    period_key,
)
from bot.store import Claim, Store, Subscription
from bot.store import Schedule as StoredSchedule
from bot.store.leases import new_owner

__all__ = [
    "ChannelResult",
    "DigestService",
    "NowReport",
    "Outcome",
    "TickReport",
    "schedule_from_store",
    "schedule_to_store",
]

log = logging.getLogger("bot.digest")

FIRST_WINDOW = timedelta(days=7)  # what a first digest covers
MAX_WINDOW = timedelta(days=14)  # never reach further back (e.g. after a long pause)
SPACES_PER_FETCH = 100  # Confluence v2 accepts at most 100 space ids per blog post list
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(minutes=30)
PAUSED_RETRY = timedelta(days=365)  # a paused subscription's claim is not retried by the tick

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


def default_owner() -> str:
    """Who holds a claim: host, pid and a random part (two services in one process differ)."""
    return new_owner()


@dataclass
class _Job:
    """One claimed (subscription, period)."""

    sub: Subscription
    claim: Claim
    since: datetime  # posts created at or after this belong to the digest
    due: datetime  # no earlier attempt can have posted before this instant
    retried: bool  # an earlier attempt existed: look for its message before posting
    space: SpaceInfo | None = None
    posts: list[BlogPost] = field(default_factory=list)
    problem: Literal["unavailable", "access_lost", "space_gone"] | None = None


@dataclass(frozen=True, slots=True)
class ChannelResult:
    team_id: str
    channel_id: str
    outcome: Outcome
    space_keys: tuple[str, ...]
    post_count: int = 0
    ts: str | None = None
    detail: str = ""


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
        store: Store,
        source: BlogSource,
        poster: DigestPoster,
        *,
        clock: Clock | None = None,
        grace: timedelta = timedelta(hours=6),
        lease: timedelta = timedelta(minutes=5),
        owner: str | None = None,
        concurrency: int = 8,
    ) -> None:
        self._store = store
        self._source = source
        self._poster = poster
        self._clock = clock or SystemClock()
        self._grace = grace
        self._lease = lease
        self.owner = owner or default_owner()
        self._concurrency = concurrency  # channels handled at once (Slack paces per channel)

    # ------------------------------------------------------------------ entry points

    async def tick(self) -> TickReport:
        """Deliver every digest that is due (or missed within the grace period) and unclaimed."""
        now = self._clock.now().astimezone(UTC)
        candidates: list[tuple[Subscription, str, datetime]] = []
        for sub in await self._store.subscriptions.list_active():
            try:
                schedule = schedule_from_store(sub.schedule)
            except ValueError as exc:  # e.g. a time zone this Python no longer knows
                log.warning("digest skipped subscription=%s bad schedule: %s", sub.id, exc)
                continue
            due = due_at_or_before(schedule, now)
            if due is None or now - due > self._grace or due < sub.created_at:
                continue
            if sub.last_delivered_at is not None and sub.last_delivered_at >= due:
                continue  # cheap pre-check; the claim below is what guarantees exactly once
            candidates.append((sub, period_key(schedule, due), due))
        claimed = await self._bounded(
            self._claim(sub, key, due, now) for sub, key, due in candidates
        )
        jobs = [job for job in claimed if job is not None]
        results = await self._deliver(jobs, now) if jobs else []
        report = TickReport(len(jobs), tuple(results))
        log.debug(
            "digest tick done candidates=%d claimed=%d posted=%d",
            len(candidates),
            report.due,
            report.posted,
        )
        return report

    async def _bounded(self, coros: Iterable[Awaitable[T]]) -> list[T]:
        """Run independent per-subscription or per-channel steps a few at a time."""
        limit = asyncio.Semaphore(self._concurrency)

        async def one(coro: Awaitable[T]) -> T:
            async with limit:
                return await coro

        return list(await asyncio.gather(*(one(c) for c in coros)))

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
            for s in await self._store.subscriptions.list_by_channel(team_id, channel_id)
            if not s.paused and (not space_keys or s.space_key in space_keys)
        ]
        unknown = tuple(k for k in space_keys if k not in {s.space_key for s in subs})
        jobs: list[_Job] = []
        busy: list[str] = []
        for sub in subs:
            schedule = schedule_from_store(sub.schedule)
            due = due_at_or_before(schedule, now) or now
            key = period_key(schedule, due)
            current = await self._store.deliveries.get(sub.id, key)
            if current is not None and current.status == "delivered":
                key, due = f"now:{now:%Y-%m-%dT%H:%M}", now
            # A failed attempt is not in flight: the user's retry takes it over at once.
            job = await self._claim(sub, key, due, now, manual=True)
            if job is None:
                busy.append(sub.space_key)
            else:
                jobs.append(job)
        results = await self._deliver(jobs, now) if jobs else []
        return NowReport(tuple(results), tuple(busy), unknown, len(subs))

    # ------------------------------------------------------------------ claiming

    async def _claim(
        self, sub: Subscription, key: str, due: datetime, now: datetime, *, manual: bool = False
    ) -> _Job | None:
        deliveries = self._store.deliveries
        previous = await deliveries.get(sub.id, key)
        if previous is not None and previous.status == "delivered":
            return None
        claim = await deliveries.try_claim(
            sub.id, key, self.owner, self._lease.total_seconds(), now, skip_backoff=manual
        )
        if claim is None:
            return None
        return _Job(sub, claim, self._since(sub, now), due, retried=previous is not None)

    @staticmethod
    def _since(sub: Subscription, now: datetime) -> datetime:
        if sub.last_delivered_at is None:
            return now - FIRST_WINDOW
        return max(sub.last_delivered_at, now - MAX_WINDOW)

    # ------------------------------------------------------------------ delivering

    async def _deliver(self, jobs: list[_Job], now: datetime) -> list[ChannelResult]:
        await self._fetch(jobs)
        channels: dict[tuple[str, str], list[_Job]] = defaultdict(list)
        for job in jobs:
            channels[(job.sub.team_id, job.sub.channel_id)].append(job)
        per_channel = await self._bounded(
            self._deliver_channel(team_id, channel_id, channel_jobs, now)
            for (team_id, channel_id), channel_jobs in channels.items()
        )
        return [result for results in per_channel for result in results]

    async def _fetch(self, jobs: list[_Job]) -> None:
        """Each (connection, space) once, however many subscriptions share it."""
        by_connection: dict[str | None, list[_Job]] = defaultdict(list)
        for job in jobs:
            by_connection[job.sub.connection_id].append(job)
        for connection, conn_jobs in by_connection.items():
            await self._fetch_for(connection, conn_jobs)

    async def _fetch_for(self, connection: str | None, jobs: list[_Job]) -> None:
        by_space: dict[str, list[_Job]] = defaultdict(list)
        for job in jobs:
            by_space[job.sub.space_id].append(job)
        try:
            spaces = await self._source.spaces(connection, sorted(by_space))
        except (SourceUnavailable, SourceAccessLost) as exc:
            self._mark(jobs, exc)
            return
        present = sorted(sid for sid in by_space if sid in spaces)
        for space_id, space_jobs in by_space.items():
            for job in space_jobs:
                job.space = spaces.get(space_id)
                if job.space is None:
                    job.problem = "space_gone"
        posts: list[SourcePost] = []
        for start in range(0, len(present), SPACES_PER_FETCH):
            batch = present[start : start + SPACES_PER_FETCH]
            batch_jobs = [job for sid in batch for job in by_space[sid]]
            since = min(job.since for job in batch_jobs)
            try:
                posts.extend(await self._source.posts_since(connection, batch, since))
            except (SourceUnavailable, SourceAccessLost) as exc:
                self._mark(batch_jobs, exc)
        names = await self._names(connection, posts)
        for post in posts:
            for job in by_space.get(post.space_id, ()):
                if job.problem is None and post.created_at >= job.since:
                    author = names.get(post.author_id or "", "")
                    job.posts.append(
                        BlogPost(post.title, post.url, author, post.created_at, post.excerpt)
                    )

    async def _names(self, connection: str | None, posts: list[SourcePost]) -> dict[str, str]:
        ids = sorted({p.author_id for p in posts if p.author_id})
        if not ids:
            return {}
        try:
            return await self._source.display_names(connection, ids)
        except (SourceUnavailable, SourceAccessLost) as exc:
            # Names are cosmetic: the digest goes out without them.
            log.warning(
                "digest author names unavailable connection=%s authors=%d: %s",
                connection,
                len(ids),
                exc,
            )
            return {}

    @staticmethod
    def _mark(jobs: Iterable[_Job], exc: Exception) -> None:
        problem: Literal["unavailable", "access_lost"] = (
            "access_lost" if isinstance(exc, SourceAccessLost) else "unavailable"
        )
        jobs = list(jobs)
        log.warning(
            "digest fetch failed (%s) subscriptions=%s spaces=%s connection=%s: %s",
            problem,
            ",".join(str(j.sub.id) for j in jobs),
            ",".join(sorted({j.sub.space_key for j in jobs})),
            jobs[0].sub.connection_id if jobs else None,
            exc,
        )
        for job in jobs:
            job.problem = job.problem or problem

    async def _deliver_channel(
        self, team_id: str, channel_id: str, jobs: list[_Job], now: datetime
    ) -> list[ChannelResult]:
        results: list[ChannelResult] = []

        def result(
            outcome: Outcome,
            group: list[_Job],
            *,
            post_count: int = 0,
            ts: str | None = None,
            detail: str = "",
        ) -> None:
            keys = tuple(j.sub.space_key for j in group)
            results.append(
                ChannelResult(team_id, channel_id, outcome, keys, post_count, ts, detail)
            )

        if any(job.problem == "unavailable" for job in jobs):
            # One tidy message per channel: rather wait than post a partial digest now.
            await self._release(jobs, "confluence unavailable", now)
            result("retry", jobs, detail="Confluence is unavailable")
            return results
        broken = [job for job in jobs if job.problem is not None]
        if broken:
            await self._pause_for_source(broken, now)
            result("paused", broken, detail="space deleted or Confluence access lost")
        jobs = [job for job in jobs if job.problem is None]
        if not jobs:
            return results

        mark = DigestMark(tuple(DigestMark.claim_name(j.sub.id, j.claim.period_key) for j in jobs))
        if any(job.retried for job in jobs):
            since = min(job.due for job in jobs)
            found = await self._poster.find_posted(channel_id, mark, since)
            if found is not None:
                window_end = datetime.fromtimestamp(float(found), UTC)
                await self._complete(jobs, found, window_end, now)
                result("already_posted", jobs, ts=found)
                return results

        spaces = [
            SpacePosts(j.space.key, j.space.name, j.space.blog_url, j.posts)
            for j in jobs
            if j.space is not None
        ]
        message = compose_digest(spaces, now=now)
        if message is None:
            await self._complete(jobs, "", now, now)
            result("empty", jobs)
            return results
        try:
            ts = await self._poster.post(channel_id, message, mark)
        except ChannelUnavailable as exc:
            await self._pause_for_channel(jobs, exc.reason, now)
            result("paused", jobs, detail=exc.reason)
            return results
        except PostFailed as exc:
            log.warning("digest post failed channel=%s reason=%s", channel_id, exc.reason)
            await self._release(jobs, f"slack: {exc.reason}", now, exc.retry_after)
            result("retry", jobs, detail=exc.reason)
            return results
        lost = await self._complete(jobs, ts, now, now)
        outcome: Outcome = "lost_claim" if lost else "posted"
        result(outcome, jobs, post_count=message.post_count, ts=ts)
        log.info(
            "digest posted channel=%s spaces=%s posts=%d ts=%s",
            channel_id,
            ",".join(j.sub.space_key for j in jobs),
            message.post_count,
            ts,
        )
        return results

    async def _complete(
        self, jobs: list[_Job], ts: str, window_end: datetime, now: datetime
    ) -> bool:
        """Mark delivered and move each window forward; True if any claim had been lost."""
        lost = False
        for job in jobs:
            if not await self._store.deliveries.mark_delivered(job.claim, ts, now=now):
                # Our lease ran out and another process took over; its history check finds
                # this message through the metadata, so nothing is posted twice.
                log.warning(
                    "digest claim lost subscription=%s period=%s",
                    job.sub.id,
                    job.claim.period_key,
                )
                lost = True
            await self._store.subscriptions.set_last_delivered(job.sub.id, window_end, now=now)
        return lost

    async def _release(
        self, jobs: list[_Job], error: str, now: datetime, retry_after: float | None = None
    ) -> None:
        for job in jobs:
            delay = min(BACKOFF_BASE * 2**job.claim.attempts, BACKOFF_MAX)
            delay *= random.uniform(1.0, 1.2)  # spread retries of many subscriptions
            if retry_after is not None:
                delay = max(delay, timedelta(seconds=retry_after))
            await self._store.deliveries.release_failed(job.claim, error, now + delay, now=now)

    async def _pause_for_channel(self, jobs: list[_Job], reason: str, now: datetime) -> None:
        why = {
            "is_archived": "the channel was archived",
            "not_in_channel": "I was removed from the channel",
            "channel_not_found": "I can no longer see the channel (removed, or it was deleted)",
        }.get(reason, f"Slack refused the post ({reason})")
        await self._pause(
            jobs,
            f"channel: {reason}",
            now,
            lambda keys, channel: (
                f":pause_button: I paused the Confluence digest of {keys} for <#{channel}> "
                f"because {why}. To resume, invite me to the channel and run "
                f"`/confluence digest subscribe {keys}` there again."
            ),
        )

    async def _pause_for_source(self, jobs: list[_Job], now: datetime) -> None:
        gone = [j for j in jobs if j.problem == "space_gone"]
        lost = [j for j in jobs if j.problem == "access_lost"]
        if gone:
            await self._pause(
                gone,
                "space deleted",
                now,
                lambda keys, channel: (
                    f":pause_button: I paused the Confluence digest of {keys} for <#{channel}> "
                    "because the space no longer exists (or you can no longer see it). "
                    f"Run `/confluence digest unsubscribe {keys}` in that channel to remove it."
                ),
            )
        if lost:
            await self._pause(
                lost,
                "confluence access lost",
                now,
                lambda keys, channel: (
                    f":pause_button: I paused the Confluence digest of {keys} for <#{channel}> "
                    "because your Confluence connection no longer works. Run "
                    "`/confluence connect`, then `/confluence digest subscribe "
                    f"{keys}` in that channel to resume."
                ),
            )

    async def _pause(
        self, jobs: list[_Job], reason: str, now: datetime, text: Callable[[str, str], str]
    ) -> None:
        by_creator: dict[tuple[str, str], list[str]] = defaultdict(list)
        for job in jobs:
            await self._store.subscriptions.pause(job.sub.id, reason, now=now)
            await self._store.deliveries.release_failed(
                job.claim, reason, now + PAUSED_RETRY, now=now
            )
            by_creator[(job.sub.created_by, job.sub.channel_id)].append(job.sub.space_key)
            log.warning("digest paused subscription=%s reason=%s", job.sub.id, reason)
        for (creator, channel), keys in by_creator.items():
            await self._poster.notify(creator, text(",".join(keys), channel))
