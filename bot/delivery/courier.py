"""Exactly-once delivery to Slack: claim, look for an earlier post, post, record how it ended.

A feature (digests today) decides *what* to deliver and *when*; the courier makes each delivery
happen once across processes. Claims come from the store (one per `ClaimKey`, with a lease);
a claim that was taken over first looks for its message in the channel (the crash window, see
`mark`); then the feature's post runs and its outcome is recorded here — delivered, given back
with backoff, or held while the subscription is paused. Every outcome goes through this one
object, so recording them in batches later changes nothing for its callers.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery.backoff import PAUSED_RETRY, Jitter, retry_delay
from bot.delivery.claims import Claim, ClaimKey, ClaimStore, Receipt
from bot.delivery.mark import DeliveryMark
from bot.delivery.pause import ChannelGone, Paused, PauseReason, by_recipient
from bot.delivery.ports import ChannelUnavailable, MessageHistory, PostFailed

__all__ = ["Courier", "Failed", "Posted", "Sent", "TellPaused"]

log = logging.getLogger("bot.delivery")

DEFAULT_LEASE = timedelta(minutes=5)

# Tells a subscription's owner, privately, that these deliveries to a channel were paused.
TellPaused = Callable[[str, PauseReason, Sequence[str], str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Posted:
    ts: str
    lost: tuple[Claim, ...] = ()  # claims another process took over meanwhile (see delivered)


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
    ) -> None:
        self._claims = claims
        self._history = history
        self._lease = lease
        self._jitter = jitter
        self.owner = owner or claims.new_owner()

    async def claim(
        self, key: ClaimKey, now: datetime, *, skip_backoff: bool = False
    ) -> Claim | None:
        """The claim on `key`, or None when it was delivered or another attempt holds it.

        `skip_backoff`: a user asked for it, so a failed attempt is taken over at once.
        """
        return await self._claims.try_claim(
            key, self.owner, self._lease.total_seconds(), now, skip_backoff=skip_backoff
        )

    async def is_delivered(self, key: ClaimKey) -> bool:
        record = await self._claims.get(key)
        return record is not None and record.status == "delivered"

    async def find_earlier(
        self, channel_id: str, claims: Sequence[Claim], mark: DeliveryMark, since: datetime
    ) -> str | None:
        """The ts of the message an earlier attempt already posted for these claims, if any.

        Only a claim that was taken over can have one, so only then is the history read;
        `since` is the earliest moment such an attempt could have posted.
        """
        if not any(claim.taken_over for claim in claims):
            return None
        return await self._history.find_posted(channel_id, mark, since)

    async def send(
        self,
        channel_id: str,
        claims: Sequence[Claim],
        post: Callable[[], Awaitable[str]],
        now: datetime,
    ) -> Sent:
        """Run `post` (which returns the message ts) and record its outcome for `claims`."""
        try:
            ts = await post()
        except ChannelUnavailable as exc:
            return ChannelGone(exc.reason)
        except PostFailed as exc:
            log.warning("delivery post failed channel=%s reason=%s", channel_id, exc.reason)
            await self.retry_later(claims, f"slack: {exc.reason}", now, exc.retry_after)
            return Failed(exc.reason)
        lost = await self.delivered(claims, Receipt(channel_id, ts), now)
        return Posted(ts, tuple(lost))

    async def delivered(
        self, claims: Sequence[Claim], receipt: Receipt, now: datetime
    ) -> list[Claim]:
        """Record the claims as delivered; returns those that had been lost.

        A claim is lost when its lease ran out and another process took it over; that process
        looks for this message's mark before posting, so nothing is posted twice.
        """
        lost = []
        for claim in claims:
            if not await self._claims.mark_delivered(claim, receipt, now=now):
                log.warning(
                    "delivery claim lost kind=%s subject=%s item=%s",
                    claim.key.kind,
                    claim.key.subject,
                    claim.key.item,
                )
                lost.append(claim)
        return lost

    async def retry_later(
        self,
        claims: Sequence[Claim],
        error: str,
        now: datetime,
        retry_after: float | None = None,
    ) -> None:
        """Give the claims back, each claimable again after its own backoff."""
        for claim in claims:
            delay = retry_delay(claim.attempts, retry_after, jitter=self._jitter)
            await self._claims.release_failed(claim, error, now + delay, now=now)

    async def pause(
        self, paused: Sequence[Paused], reason: PauseReason, now: datetime, tell: TellPaused
    ) -> None:
        """Hold the claims of paused subscriptions (no tick retries them) and tell each owner
        once per channel. The feature pauses its subscriptions itself."""
        for item in paused:
            await self._claims.release_failed(
                item.claim, reason.stored, now + PAUSED_RETRY, now=now
            )
        for (owner, channel_id), labels in by_recipient(paused).items():
            await tell(owner, reason, labels, channel_id)
