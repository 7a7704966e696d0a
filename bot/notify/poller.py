"""Poll groups: each Confluence identity reads the spaces its subscriptions follow, once a round,
however many channels follow them.

A group is (identity, the spaces it follows): one CQL search per 100 spaces per round (paged),
plus a check that the spaces still exist and are visible, at most every `SPACE_CHECK` (v2
spaces by id). Each (identity, space) keeps a watermark in the database: the next round asks
from there, less an overlap (CQL dates are to the minute, and Confluence's index lags a little);
what is seen twice is de-duplicated by the delivery claims. A space whose watermark is older than
the catch-up window is read from the catch-up limit on, and the stretch before it is counted for
one summary message per subscription. A new (identity, space) starts when first polled.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.notify.events import Activity, Event, PageFacts, events_in
from bot.notify.filters import matches, needs_page_facts
from bot.notify.models import NotifySubscription
from bot.notify.ports import (
    COUNT_LIMIT,
    ActivitySource,
    Identity,
    SourceAccessLost,
    SourceUnavailable,
)
from bot.polling import WatermarkAdvance, WatermarkStore, Window, next_window

__all__ = [
    "SPACES_PER_QUERY",
    "Gap",
    "Group",
    "Poll",
    "group_key",
    "poll_group",
    "watermark_key",
]

log = logging.getLogger("bot.notify")

SPACES_PER_QUERY = 100  # space keys in one CQL query


@dataclass(frozen=True, slots=True)
class Group:
    identity: Identity
    subs: tuple[NotifySubscription, ...]

    @property
    def key(self) -> str:
        return group_key(self.identity)

    @property
    def space_keys(self) -> list[str]:
        return sorted({sub.space_key for sub in self.subs})


def group_key(identity: Identity) -> str:
    return f"conn:{identity}" if identity is not None else "shared"


def watermark_key(group: str, space_key: str) -> str:
    return f"notify:{group}:{space_key}"


@dataclass(frozen=True, slots=True)
class Gap:
    """Activity older than the catch-up window, not replayed: counted for one message."""

    start: datetime
    end: datetime
    changes: int
    more: bool  # at least `changes`: the count stopped at one page of results


@dataclass
class Poll:
    """What one group's round found."""

    group: Group
    windows: dict[str, Window] = field(default_factory=dict)  # by space key
    events: list[Event] = field(default_factory=list)
    matched: list[tuple[NotifySubscription, Event]] = field(default_factory=list)
    gaps: dict[str, Gap] = field(default_factory=dict)  # by space key
    gone: list[NotifySubscription] = field(default_factory=list)  # space deleted or hidden
    problem: Exception | None = None  # SourceUnavailable or SourceAccessLost: nothing read
    space_names: dict[str, str] = field(default_factory=dict)

    def advances(self, held: Mapping[str, datetime]) -> list[WatermarkAdvance]:
        """Each polled space moves to the round's end, or stays before its earliest event not
        delivered yet (`held`, by space key), so that event is read again next round."""
        if self.problem is not None:
            return []
        gone = {sub.space_key for sub in self.gone}
        return [
            WatermarkAdvance(
                watermark_key(self.group.key, key),
                min(window.until, held.get(key, window.until)),
            )
            for key, window in self.windows.items()
            if key not in gone
        ]


async def poll_group(
    source: ActivitySource,
    watermarks: WatermarkStore,
    group: Group,
    now: datetime,
    *,
    overlap: timedelta,
    catch_up: timedelta,
    check_spaces: bool,
) -> Poll:
    """Read one group's activity since its watermarks and match it to its subscriptions."""
    poll = Poll(group)
    keys = {key: watermark_key(group.key, key) for key in group.space_keys}
    marks = await watermarks.get_many(sorted(keys.values()))
    if new := [WatermarkAdvance(k, now) for k in keys.values() if k not in marks]:
        await watermarks.advance(new)  # a group starts when first seen
    poll.windows = {
        key: next_window(marks.get(wm), now, overlap=overlap, catch_up=catch_up)
        for key, wm in keys.items()
    }
    try:
        if check_spaces:
            await _check_spaces(source, poll)
        hits = await _activity(source, poll)
        facts = await _page_facts(source, poll, hits)
        await _gaps(source, poll)
    except (SourceUnavailable, SourceAccessLost) as exc:
        log.warning("notify poll failed group=%s: %s", group.key, exc)
        poll.problem = exc
        return poll
    since = {key: window.since for key, window in poll.windows.items()}
    poll.events = events_in(hits, since, facts)
    poll.matched = list(_matched(group.subs, poll.events, poll.gone))
    return poll


async def _check_spaces(source: ActivitySource, poll: Poll) -> None:
    ids = sorted({sub.space_id for sub in poll.group.subs})
    visible = await source.spaces(poll.group.identity, ids)
    poll.gone = [sub for sub in poll.group.subs if sub.space_id not in visible]
    poll.space_names = {info.key: info.name for info in visible.values()}


async def _activity(source: ActivitySource, poll: Poll) -> list[Activity]:
    gone = {sub.space_key for sub in poll.gone}
    keys = [key for key in poll.group.space_keys if key not in gone]
    hits: list[Activity] = []
    for start in range(0, len(keys), SPACES_PER_QUERY):
        chunk = keys[start : start + SPACES_PER_QUERY]
        since = min(poll.windows[key].since for key in chunk)
        hits += await source.activity(poll.group.identity, chunk, since)
    return hits


async def _page_facts(
    source: ActivitySource, poll: Poll, hits: Sequence[Activity]
) -> dict[str, PageFacts]:
    """Labels and ancestors of the pages comments are on, when a filter needs them and the
    page is not among the hits (one more query, only then)."""
    wanting = {sub.space_key for sub in poll.group.subs if needs_page_facts(sub.filters)}
    seen = {hit.id for hit in hits if hit.type != "comment"}
    missing = sorted(
        {
            hit.page_id
            for hit in hits
            if hit.type == "comment" and hit.space_key in wanting and hit.page_id not in seen
        }
    )
    if not missing:
        return {}
    return await source.page_facts(poll.group.identity, missing)


async def _gaps(source: ActivitySource, poll: Poll) -> None:
    skipped = {k: w for k, w in poll.windows.items() if w.skipped_from is not None}
    if not skipped:
        return
    start = min(w.skipped_from for w in skipped.values() if w.skipped_from is not None)
    end = max(w.since for w in skipped.values())
    counts = await source.count(poll.group.identity, sorted(skipped), start, end)
    for key, window in skipped.items():
        assert window.skipped_from is not None
        changes = counts.get(key, 0)
        poll.gaps[key] = Gap(window.skipped_from, window.since, changes, changes >= COUNT_LIMIT)


def _matched(
    subs: Iterable[NotifySubscription], events: Sequence[Event], gone: Sequence[NotifySubscription]
) -> Iterable[tuple[NotifySubscription, Event]]:
    by_space: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_space[event.activity.space_key].append(event)
    skip = {sub.id for sub in gone}
    for sub in subs:
        if sub.id in skip:
            continue
        for event in by_space.get(sub.space_key, ()):
            if matches(sub.filters, event, subscribed_at=sub.created_at):
                yield sub, event
