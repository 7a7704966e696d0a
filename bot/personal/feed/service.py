"""The personal DM feed: poll each linked user once per interval, as themselves, and DM them
what is news, exactly once.

- When: `tick()` runs every few seconds (job "personal_tick"); each linked user has a slot in
  the interval (``bot.polling.spread``) and is polled when it comes. The interval stretches with
  the number of users so that the polls stay within their share of Maton's 10 requests/s.
- One poll per user per interval across replicas: a poll claim per user ("personal-poll",
  "<team>:<user>", "poll"), given back after the poll with its retry at the next slot.
- What: the user's watermark ("personal:<team>:<user>") gives the window (with overlap); the
  source reads it as the user (``bot.personal.feed.confluence``); `events_of` says what is news.
- Exactly once: one claim per event ("personal", "<team>:<user>", event id); a DM's metadata
  names the claims it carries; events close in time are merged into the DM of the user's anchor
  (chat.update). The watermark and anchor are written with the claims' completions.
- A dead connection is marked stale (the users port); a stale user is not polled and is told
  once per connection that their feed paused.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.confluence import AuthError, ConfluenceError, ExpiredGrant, NoConnection
from bot.delivery import (
    ChannelGone,
    Claim,
    ClaimKey,
    Completion,
    Courier,
    DeliveryMark,
    Failed,
    PostFailed,
    Receipt,
)
from bot.delivery.anchors import Anchor, AnchorKey, AnchorWrite
from bot.personal.feed.events import FeedEvent, events_of
from bot.personal.feed.merge import MERGE_WINDOW, DmPlan, plan_dms
from bot.personal.feed.ports import (
    EVENT_TYPE,
    FeedPoster,
    FeedSource,
    FeedStore,
    FeedUser,
    FeedUsers,
)
from bot.personal.feed.reports import Found, PollResult, TickReport
from bot.personal.feed.state import (
    DELIVERY_KIND,
    POLL_KIND,
    FeedMemory,
    anchor_key,
    watermark_key,
)
from bot.personal.ports import Clock, SystemClock
from bot.polling import WatermarkAdvance, due, next_window, stretched_interval

__all__ = [
    "DELIVERY_KIND",
    "POLL_KIND",
    "FeedMemory",
    "FeedService",
    "PollResult",
    "TickReport",
    "anchor_key",
    "watermark_key",
]

log = logging.getLogger("bot.personal.feed")

HISTORY_LOOKBACK = timedelta(hours=1)  # a taken-over delivery looks this far back for its DM


class FeedService:
    def __init__(
        self,
        store: FeedStore,
        users: FeedUsers,
        source: FeedSource,
        poster: FeedPoster,
        *,
        clock: Clock | None = None,
        minimum_interval: float = 120.0,
        budget_rps: float = 5.0,
        requests_per_poll: float = 3.0,
        merge_window: timedelta = MERGE_WINDOW,
        concurrency: int = 8,
        owner: str | None = None,
    ) -> None:
        self._store = store
        self._users = users
        self._source = source
        self._poster = poster
        self._clock = clock or SystemClock()
        self._courier = Courier(store.deliveries, poster, owner=owner)
        self.owner = self._courier.owner
        self._minimum = minimum_interval
        self._budget = budget_rps
        self._per_poll = requests_per_poll
        self._seen_per_poll = 0.0  # requests a poll has taken here lately (moving average)
        self._merge_window = merge_window
        self._limit = asyncio.Semaphore(concurrency)
        self._previous: float | None = None

    def interval_for(self, users: int) -> float:
        """Seconds between two polls of one user when `users` are linked: stretched by the
        configured requests a poll, or by what polls have taken lately when that is more."""
        per_poll = max(self._per_poll, self._seen_per_poll)
        return stretched_interval(users, per_poll, self._budget, self._minimum)

    def _learn(self, polled: Sequence[PollResult]) -> None:
        counted = [p.requests for p in polled if p.outcome != "error"]
        if counted:
            mean = sum(counted) / len(counted)
            weight = min(1.0, len(counted) / 100)  # a tick of many polls says more
            self._seen_per_poll += (mean - self._seen_per_poll) * max(weight, 0.05)

    # ------------------------------------------------------------------ the tick

    async def tick(self, *, everyone: bool = False) -> TickReport:
        """Poll the users whose slot came since the last tick (`everyone`: all of them)."""
        now = self._clock.now().astimezone(UTC)
        users = await self._users.linked()
        active = [u for u in users if u.status == "active" and u.preferences.enabled]
        interval = self.interval_for(len(active))
        epoch = now.timestamp()
        previous = self._previous if self._previous is not None else epoch - 1.0
        self._previous = epoch
        if everyone:
            previous = epoch - interval
        by_subject = {u.subject: u for u in users if u.preferences.enabled}
        due_now = set(due(list(by_subject), previous, epoch, interval))
        report = TickReport(interval, len(due_now))
        stale = [by_subject[s] for s in sorted(due_now) if by_subject[s].status == "stale"]
        if stale:
            report.told_paused = await self._tell_paused(stale, now)
        polls = [by_subject[s] for s in sorted(due_now) if by_subject[s].status == "active"]
        if polls:
            report.polled = await self._poll_claimed(polls, now, interval)
            self._learn(report.polled)
        lost = await self._courier.flush()
        if lost:
            log.warning("personal feed lost %d claims to another process", len(lost))
        return report

    async def _poll_claimed(
        self, users: Sequence[FeedUser], now: datetime, interval: float
    ) -> list[PollResult]:
        """Claim the polls (one per user and interval, across replicas), run them, give the
        claims back for the next slot. The database sees a few statements per tick, not per
        user: the watermarks read, the quiet users' advances, the events claimed and the
        anchors read in bulk."""
        keys = {ClaimKey(POLL_KIND, u.subject, "poll"): u for u in users}
        claims = await self._courier.claim(keys, now)
        if not claims:
            return []
        marks = await self._store.watermarks.get_many(
            [watermark_key(c.key.subject) for c in claims]
        )
        reads = await asyncio.gather(
            *(self._read(keys[c.key], marks.get(watermark_key(c.key.subject)), now) for c in claims)
        )
        results = await self._deliver_all([r for r in reads if isinstance(r, Found)], now)
        results.extend(r for r in reads if isinstance(r, PollResult))
        next_slot = now + timedelta(seconds=interval * 0.5)
        await self._store.deliveries.complete(
            [Completion.failed(c, "polled", next_slot, now) for c in claims]
        )
        return results

    async def _read(
        self, user: FeedUser, watermark: datetime | None, now: datetime
    ) -> Found | PollResult:
        async with self._limit:
            try:
                return await self.read(user, watermark, now)
            except Exception:  # one user's failure must not stop the others
                log.exception("personal feed poll failed user=%s", user.me.user_id)
                return PollResult(user.subject, "error")

    async def _deliver_all(self, found: Sequence[Found], now: datetime) -> list[PollResult]:
        quiet = [f for f in found if not f.events]
        by_key = {
            ClaimKey(DELIVERY_KIND, f.user.subject, e.id): (f, e) for f in found for e in f.events
        }
        claims = await self._courier.claim(by_key, now) if by_key else []
        mine: dict[str, list[Claim]] = {}
        for claim in claims:
            mine.setdefault(claim.key.subject, []).append(claim)
        # Delivered already (an overlapping window), or another process has them: quiet too.
        quiet += [f for f in found if f.events and f.user.subject not in mine]
        await self._store.watermarks.advance([f.advance for f in quiet])
        results = [PollResult(f.user.subject, "quiet", len(f.events), 0, f.requests) for f in quiet]
        busy = [f for f in found if f.user.subject in mine]
        anchors = await self._store.anchors.get_many([anchor_key(f.user.subject) for f in busy])

        async def one(f: Found) -> PollResult:
            async with self._limit:
                subject = f.user.subject
                events = {c.key: by_key[c.key][1] for c in mine[subject]}
                anchor = anchors.get(anchor_key(subject))
                outcome, sent = await self._deliver_claimed(
                    f.user, events, mine[subject], anchor, now, f.advance
                )
                return PollResult(subject, outcome, len(f.events), sent, f.requests)

        results.extend(await asyncio.gather(*(one(f) for f in busy)))
        return results

    # ------------------------------------------------------------------ one user

    async def read(
        self, user: FeedUser, watermark: datetime | None, now: datetime
    ) -> Found | PollResult:
        """Read one user's window as them and find the news in it (a PollResult: it failed)."""
        window = next_window(watermark, now)
        advance = WatermarkAdvance(watermark_key(user.subject), window.until)
        try:
            activity = await self._source.poll(
                user.me, window.since, window.until, user.preferences
            )
        except (AuthError, ExpiredGrant, NoConnection) as exc:
            stale = await self._users.lost(user.me, exc)
            log.warning(
                "personal feed refused user=%s stale=%s error=%s", user.me.user_id, stale, exc
            )
            return PollResult(user.subject, "error")
        except ConfluenceError as exc:
            log.warning("personal feed poll failed user=%s error=%s", user.me.user_id, exc)
            return PollResult(user.subject, "error")
        if window.skipped_from is not None:
            log.info(
                "personal feed skipped user=%s from=%s to=%s",
                user.me.user_id,
                window.skipped_from.isoformat(),
                window.since.isoformat(),
            )
        events = events_of(
            activity.hits,
            activity.tasks,
            user.me.account_id,
            user.preferences,
            activity.ownership,
            since=window.since,
            today=activity.today,
        )
        return Found(user, advance, tuple(events), activity.requests)

    async def deliver(
        self, user: FeedUser, events: Sequence[FeedEvent], now: datetime, advance: WatermarkAdvance
    ) -> tuple[str, int]:
        """Claim one user's events and DM those claimed, merged into their recent DM."""
        by_key = {ClaimKey(DELIVERY_KIND, user.subject, e.id): e for e in events}
        claims = await self._courier.claim(by_key, now)
        if not claims:
            await self._store.watermarks.advance([advance])
            return "quiet", 0
        key = anchor_key(user.subject)
        anchor = (await self._store.anchors.get_many([key])).get(key)
        return await self._deliver_claimed(
            user, {c.key: by_key[c.key] for c in claims}, claims, anchor, now, advance
        )

    async def _deliver_claimed(
        self,
        user: FeedUser,
        events: dict[ClaimKey, FeedEvent],
        claims: Sequence[Claim],
        anchor: Anchor | None,
        now: datetime,
        advance: WatermarkAdvance,
    ) -> tuple[str, int]:
        try:
            channel = await self._poster.dm_channel(user.me.user_id)
        except PostFailed as exc:
            await self._courier.retry_later(claims, f"slack: {exc.reason}", now, exc.retry_after)
            return "retry", 0
        claims = await self._already_sent(channel, claims, now)
        if not claims:
            await self._store.watermarks.advance([advance])
            return "sent", 0
        key = anchor_key(user.subject)
        by_name = {c.key.name: c for c in claims}
        plans = plan_dms(
            anchor,
            [(events[c.key], c.key.name) for c in claims],
            now,
            window=self._merge_window,
        )
        sent = 0
        for n, plan in enumerate(plans):
            last = n == len(plans) - 1
            then: list[AnchorWrite | WatermarkAdvance] = (
                [AnchorWrite(_anchor(key, channel, plan, now, "")), advance] if last else []
            )
            result = await self._send(
                channel, plan, [by_name[x] for x in plan.new_names], now, then
            )
            if isinstance(result, Failed | ChannelGone):
                return "retry", sent
            sent += len(plan.events)
        log.info("personal feed sent user=%s events=%d dms=%d", user.me.user_id, sent, len(plans))
        return "sent", sent

    async def _send(
        self,
        channel: str,
        plan: DmPlan,
        claims: Sequence[Claim],
        now: datetime,
        then: Sequence[AnchorWrite | WatermarkAdvance],
    ) -> Failed | ChannelGone | str:
        mark = DeliveryMark(EVENT_TYPE, plan.names)
        # Written with the completions once the post went out; the anchor needs the post's ts,
        # so the list is filled in by `post` (the courier reads it after `post` returns).
        followups: list[AnchorWrite | WatermarkAdvance] = []

        async def post() -> str:
            if plan.update_ts is not None:
                ts = await self._poster.update(channel, plan.update_ts, plan.shown, mark)
            else:
                ts = await self._poster.post(channel, plan.shown, mark)
            followups.extend(
                AnchorWrite(_with_ts(item.anchor, ts)) if isinstance(item, AnchorWrite) else item
                for item in then
            )
            return ts

        sent = await self._courier.send(channel, claims, post, now, then=followups)
        if isinstance(sent, ChannelGone):
            # The user's DM with the app is unavailable: keep the claims for a later retry.
            await self._courier.retry_later(claims, f"slack: {sent.code}", now)
            return sent
        if isinstance(sent, Failed):
            return sent
        return sent.ts

    async def _already_sent(
        self, channel: str, claims: Sequence[Claim], now: datetime
    ) -> list[Claim]:
        """Claims taken over from an attempt that may have posted: those whose DM is found are
        recorded as delivered, the others returned."""
        taken = [c for c in claims if c.taken_over]
        if not taken:
            return list(claims)
        mark = DeliveryMark.of(EVENT_TYPE, (c.key for c in taken))
        found = await self._courier.find_earlier(channel, taken, mark, now - HISTORY_LOOKBACK)
        if found is None:
            return list(claims)
        # The attempt that died posted (or updated) a DM carrying these deliveries.
        log.info("personal feed found an earlier DM channel=%s ts=%s", channel, found)
        await self._courier.delivered(taken, Receipt(channel, found), now)
        return [c for c in claims if not c.taken_over]

    # ------------------------------------------------------------------ stale connections

    async def _tell_paused(self, users: Sequence[FeedUser], now: datetime) -> int:
        keys = {
            ClaimKey(DELIVERY_KIND, u.subject, f"paused:{u.me.connection_id}"): u for u in users
        }
        claims = await self._courier.claim(keys, now)
        for claim in claims:
            user = keys[claim.key]
            await self._poster.tell_paused(user.me.user_id)
            log.info("personal feed paused user=%s (connection stale)", user.me.user_id)
            await self._courier.delivered([claim], Receipt("", ""), now)
        return len(claims)

    # ------------------------------------------------------------------ disconnect

    async def forget(self, team_id: str, user_id: str) -> None:
        await FeedMemory(self._store).forget(team_id, user_id)


def _anchor(key: AnchorKey, channel: str, plan: DmPlan, now: datetime, ts: str) -> Anchor:
    return Anchor(
        key=key,
        channel_id=channel,
        ts=plan.update_ts or ts,
        opened_at=plan.opened_at,
        updated_at=now,
        names=plan.names,
        data={"items": [e.data() for e in plan.shown]},
    )


def _with_ts(anchor: Anchor, ts: str) -> Anchor:
    """The anchor at the DM the post answered with (a new one when the old could not be
    updated)."""
    return Anchor(
        anchor.key,
        anchor.channel_id,
        ts,
        anchor.opened_at,
        anchor.updated_at,
        anchor.names,
        anchor.data,
    )
