"""One channel's share of a round: its claimed events, in the order they happened, each posted,
replied in its page's thread, or folded into an earlier message (chat.update), exactly once.

Each delivery is a bot.delivery claim ("notify", subscription id, event id) whose name the
message's metadata carries; a claim taken over from an attempt that may have posted first looks
for that mark (in the channel, or in the thread for a reply). The anchors that the next events
need (the page's thread, the author's merge) are written with the delivery's record, and kept in
memory for the rest of the round.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.delivery import (
    Anchor,
    AnchorKey,
    AnchorWrite,
    ChannelGone,
    Claim,
    Courier,
    DeliveryMark,
    Failed,
    Followup,
    Receipt,
)
from bot.notify.compose import NotifyMessage, Story, compose, compose_gap, person
from bot.notify.events import Event
from bot.notify.models import NotifySubscription
from bot.notify.poller import Gap
from bot.notify.ports import EVENT_TYPE, NotifyPoster
from bot.notify.threads import Placement, anchors_after, merge_key, place, thread_key

__all__ = ["ChannelOutcome", "ChannelRound", "Work"]

log = logging.getLogger("bot.notify")

HISTORY_MARGIN = timedelta(seconds=1)  # a history search starts this much before the earliest post


@dataclass(frozen=True, slots=True)
class Work:
    """One claimed delivery: an event (or a gap summary) for one subscription."""

    sub: NotifySubscription
    claim: Claim
    event: Event | None = None
    gap: Gap | None = None
    space_name: str = ""

    @property
    def when(self) -> datetime:
        if self.event is not None:
            return self.event.when
        assert self.gap is not None
        return self.gap.start


@dataclass
class ChannelOutcome:
    posted: int = 0  # new messages and thread replies
    updated: int = 0  # messages rewritten in place
    found: int = 0  # posted by an earlier attempt (found by their mark)
    held: dict[str, datetime] = field(default_factory=dict)  # space key -> earliest not delivered
    gone: ChannelGone | None = None
    left: list[Work] = field(default_factory=list)  # not delivered: the channel is gone


class ChannelRound:
    """Delivers one channel's work; anchors are shared by the round (one dict, per channel keys)."""

    def __init__(
        self,
        courier: Courier,
        poster: NotifyPoster,
        anchors: dict[AnchorKey, Anchor],
        slack_users: Mapping[str, str],
        *,
        merge_window: timedelta,
        now: datetime,
    ) -> None:
        self._courier = courier
        self._poster = poster
        self._anchors = anchors
        self._slack_users = slack_users
        self._merge_window = merge_window
        self._now = now

    async def run(self, channel_id: str, works: Sequence[Work]) -> ChannelOutcome:
        outcome = ChannelOutcome()
        ordered = sorted(works, key=lambda w: (w.when, w.claim.key))
        for index, work in enumerate(ordered):
            sent = await self._deliver(channel_id, work, outcome)
            if isinstance(sent, ChannelGone):
                outcome.gone = sent
                outcome.left = ordered[index:]
                break
            if isinstance(sent, Failed):
                key = work.sub.space_key
                outcome.held[key] = min(outcome.held.get(key, work.when), work.when)
        return outcome

    async def _deliver(
        self, channel_id: str, work: Work, outcome: ChannelOutcome
    ) -> ChannelGone | Failed | None:
        claim, event = work.claim, work.event
        thread = self._anchors.get(thread_key(work.sub.id, event)) if event else None
        placement, message = self._message(work, thread)
        look = DeliveryMark.of(EVENT_TYPE, [claim.key])
        since = self._since(work, placement)
        found = await self._courier.find_earlier(
            channel_id, [claim], look, since, thread_ts=placement.thread_ts
        )
        writes: list[Followup] = []

        def remember(ts: str) -> str:
            # Called before the delivery is recorded (Courier.send records `then` once `post`
            # returns): the anchors need the message's ts.
            if event is not None:
                for anchor in anchors_after(
                    work.sub.id, event, placement, channel_id, ts, claim.key.name, thread, self._now
                ):
                    self._anchors[anchor.key] = anchor
                    writes.append(AnchorWrite(anchor))
            return ts

        if found is not None:
            remember(found)
            await self._courier.delivered(
                [claim], Receipt(channel_id, found), self._now, then=writes
            )
            outcome.found += 1
            return None
        post = self._post(channel_id, placement, message, look)

        async def posted() -> str:
            return remember(await post())

        sent = await self._courier.send(channel_id, [claim], posted, self._now, then=writes)
        if isinstance(sent, ChannelGone | Failed):
            return sent
        if placement.action == "update":
            outcome.updated += 1
        else:
            outcome.posted += 1
        return None

    def _message(self, work: Work, thread: Anchor | None) -> tuple[Placement, NotifyMessage]:
        event = work.event
        if event is None:
            assert work.gap is not None
            gap = work.gap
            message = compose_gap(
                work.sub.space_key, work.space_name, gap.start, gap.end, gap.changes, gap.more
            )
            return Placement("post", _gap_story()), message
        key = merge_key(work.sub.id, event)
        merge = self._anchors.get(key) if key is not None else None
        placement = place(event, thread, merge, self._merge_window)
        author = event.author
        who = person(author.name, self._slack_users.get(author.account_id or ""))
        return placement, compose(event, placement.story, who)

    def _post(
        self, channel_id: str, placement: Placement, message: NotifyMessage, look: DeliveryMark
    ) -> Callable[[], Awaitable[str]]:
        if placement.action == "update":
            assert placement.ts is not None
            ts = placement.ts
            mark = DeliveryMark(EVENT_TYPE, (*placement.names, *look.claims))
            return lambda: self._poster.update(channel_id, ts, message, mark)
        thread_ts = placement.ts if placement.action == "reply" else None
        return lambda: self._poster.post(channel_id, message, look, thread_ts=thread_ts)

    @staticmethod
    def _since(work: Work, placement: Placement) -> datetime:
        """The earliest an earlier attempt could have posted (an update: the message's own
        ts, since history lists messages by when they were first posted)."""
        if placement.action == "update" and placement.ts:
            return datetime.fromtimestamp(float(placement.ts), UTC) - HISTORY_MARGIN
        return work.when - HISTORY_MARGIN


def _gap_story() -> Story:
    return Story("created", 1, 1)
