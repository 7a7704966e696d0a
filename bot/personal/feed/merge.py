"""Several events close in time become one DM (pure).

The DM being merged into is an anchor (``bot.delivery.anchors``, key ("personal-dm",
"<team>:<user>", "feed")): its ts, when it was opened, the deliveries it carries and its items.
New events go into it — one chat.update, its mark naming every delivery it now carries — while
it is younger than the merge window and has room; otherwise they open a new DM (which becomes
the anchor). More events than one DM holds are split over several.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.delivery.anchors import Anchor
from bot.personal.feed.events import FeedEvent

__all__ = ["MAX_ITEMS", "MERGE_WINDOW", "DmPlan", "items_of", "plan_dms"]

MERGE_WINDOW = timedelta(minutes=10)
MAX_ITEMS = 15  # items in one DM: a section each, with a header and a footer well within 50 blocks


@dataclass(frozen=True, slots=True)
class DmPlan:
    """One DM to post (`update_ts` None) or to update in place."""

    events: tuple[FeedEvent, ...]  # the new ones this DM delivers
    shown: tuple[FeedEvent, ...]  # everything it shows (earlier items first)
    names: tuple[str, ...]  # the deliveries it carries, earlier ones too (its mark)
    new_names: tuple[str, ...]  # the deliveries of `events`
    update_ts: str | None
    opened_at: datetime


def items_of(data: Mapping[str, Any]) -> list[FeedEvent]:
    """The items an anchor's data keeps (unreadable ones are dropped)."""
    found = data.get("items")
    items: list[FeedEvent] = []
    for raw in found if isinstance(found, list) else []:
        try:
            items.append(FeedEvent.of_data(raw))
        except (TypeError, ValueError, KeyError):
            continue
    return items


def plan_dms(
    anchor: Anchor | None,
    events: Sequence[tuple[FeedEvent, str]],
    now: datetime,
    *,
    window: timedelta = MERGE_WINDOW,
    max_items: int = MAX_ITEMS,
) -> list[DmPlan]:
    """The DMs that deliver `events` (each with its delivery's name), in order; the last one is
    the next anchor."""
    pending = list(events)
    plans: list[DmPlan] = []
    if anchor is not None and now - anchor.opened_at <= window:
        shown = items_of(anchor.data)
        room = max_items - len(shown)
        if room > 0 and pending:
            taken, pending = pending[:room], pending[room:]
            plans.append(
                DmPlan(
                    events=tuple(e for e, _ in taken),
                    shown=(*shown, *(e for e, _ in taken)),
                    names=(*anchor.names, *(n for _, n in taken)),
                    new_names=tuple(n for _, n in taken),
                    update_ts=anchor.ts,
                    opened_at=anchor.opened_at,
                )
            )
    for start in range(0, len(pending), max_items):
        chunk = pending[start : start + max_items]
        new = tuple(e for e, _ in chunk)
        names = tuple(n for _, n in chunk)
        plans.append(DmPlan(new, new, names, names, None, now))
    return plans
