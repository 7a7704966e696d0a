"""Exactly-once delivery to Slack: claim, look for an earlier post, post, record how it ended.

A feature (digests today; channel notifications and personal DMs next) decides *what* to deliver
and *when*; the courier makes each delivery happen once across processes. Claims come from the
store in bulk (one transaction for all that are due, one `ClaimKey` each, with a lease); a claim
that was taken over first looks for its message in the channel or thread (the crash window, see
`mark`); then the feature's post runs — chat.postMessage, a thread reply or chat.update, any
call that returns the message's ts — and its outcome is recorded here: delivered, given back
with backoff, or held while the subscription is paused. Outcomes, with the feature's followups,
are written in batches (see `recorder`); `flush()` ends a round and reports lost claims.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery.backoff import PAUSED_RETRY, Jitter, retry_delay
from bot.delivery.claims import Claim, ClaimKey, ClaimStore, Completion, Followup, Receipt
from bot.delivery.mark import DeliveryMark
from bot.delivery.pause import ChannelGone, Paused, PauseReason, by_recipient
from bot.delivery.ports import ChannelUnavailable, MessageHistory, PostFailed
from bot.delivery.recorder import BATCH_SECONDS, BATCH_SIZE, Recorder

__all__ = ["Courier", "Failed", "Posted", "Sent", "TellPaused"]

log = logging.getLogger("bot.delivery")

DEFAULT_LEASE = timedelta(minutes=5)

# Tells a subscription's owner, privately, that these deliveries to a channel were paused.
TellPaused = Callable[[str, PauseReason, Sequence[str], str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Posted:
    ts: str


@dataclass(frozen=True, slots=True)
class Failed:
    """Slack did not take the message for now; the claims were given back for a retry."""

    reason: str


# ChannelGone: Slack refused the channel for good; the claims are still held (see `pause`).
Sent = Posted | Failed | ChannelGone


class Courier:
    def __init__(
        self,
        claims: ClaimStore,
        history: MessageHistory,
        *,
        owner: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
        jitter: Jitter = random.uniform,
        batch_size: int = BATCH_SIZE,
        batch_seconds: float = BATCH_SECONDS,
    ) -> None:
        self._claims = claims
        self._history = history
        self._lease = lease
        self._jitter = jitter
        self._recorder = Recorder(claims, size=batch_size, seconds=batch_seconds)
        self.owner = owner or claims.new_owner()

    async def claim(
        self, keys: Iterable[ClaimKey], now: datetime, *, skip_backoff: bool = False
    ) -> list[Claim]:
        """The claims on whichever of `keys` are free (one transaction for all of them); a key
        left out was delivered, or another attempt holds it.

        `skip_backoff`: a user asked for it, so a failed attempt is taken over at once.
        """
        return await self._claims.claim(
            list(keys), self.owner, self._lease.total_seconds(), now, skip_backoff=skip_backoff
        )

    async def is_delivered(self, key: ClaimKey) -> bool:
        record = await self._claims.get(key)
        return record is not None and record.status == "delivered"

    async def find_earlier(
        self,
        channel_id: str,
        claims: Sequence[Claim],
        mark: DeliveryMark,
        since: datetime,
        *,
        thread_ts: str | None = None,
    ) -> str | None:
        """The ts of the message an earlier attempt already posted for these claims, if any —
        in the channel, or in the thread of `thread_ts` for a reply.

        Only a claim that was taken over can have one, so only then is the history read;
        `since` is the earliest moment such an attempt could have posted.
        """
        if not any(claim.taken_over for claim in claims):
            return None
        return await self._history.find_posted(channel_id, mark, since, thread_ts=thread_ts)

    async def send(
        self,
        channel_id: str,
        claims: Sequence[Claim],
        post: Callable[[], Awaitable[str]],
        now: datetime,
        *,
        then: Sequence[Followup] = (),
    ) -> Sent:
        """Run `post` (which returns the message ts) and record its outcome for `claims`;
        `then` is written with them once the post went out."""
        try:
            ts = await post()
        except ChannelUnavailable as exc:
            return ChannelGone(exc.reason)
        except PostFailed as exc:
            log.warning("delivery post failed channel=%s reason=%s", channel_id, exc.reason)
            await self.retry_later(claims, f"slack: {exc.reason}", now, exc.retry_after)
            return Failed(exc.reason)
        await self.delivered(claims, Receipt(channel_id, ts), now, then=then)
        return Posted(ts)

    async def delivered(
        self,
        claims: Sequence[Claim],
        receipt: Receipt,
        now: datetime,
        *,
        then: Sequence[Followup] = (),
    ) -> None:
        """Record the claims as delivered (and `then`), in the next batch.

        A claim is lost when its lease ran out and another process took it over; that process
        looks for this message's mark before posting, so nothing is posted twice. `flush()`
        tells which were lost.
        """
        await self._recorder.add([Completion.delivered(c, receipt, now) for c in claims], then)

    async def retry_later(
        self,
        claims: Sequence[Claim],
        error: str,
        now: datetime,
        retry_after: float | None = None,
    ) -> None:
        """Give the claims back, each claimable again after its own backoff."""
        await self._recorder.add(
            [
                Completion.failed(
                    c, error, now + retry_delay(c.attempts, retry_after, jitter=self._jitter), now
                )
                for c in claims
            ]
        )

    async def pause(
        self, paused: Sequence[Paused], reason: PauseReason, now: datetime, tell: TellPaused
    ) -> None:
        """Hold the claims of paused subscriptions (no tick retries them) and tell each owner
        once per channel. The feature pauses its subscriptions itself."""
        held = now + PAUSED_RETRY
        await self._recorder.add(
            [Completion.failed(p.claim, reason.stored, held, now) for p in paused]
        )
        for (owner, channel_id), labels in by_recipient(paused).items():
            await tell(owner, reason, labels, channel_id)

    async def flush(self) -> list[Claim]:
        """Write every outcome recorded so far; returns the claims found lost since the last
        flush. Call it when a round of deliveries ends (a tick, a user's request)."""
        return await self._recorder.flush()
