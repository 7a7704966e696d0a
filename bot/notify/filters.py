"""Which events a subscription's channel hears about (pure).

A poll reads a space once for every channel following it; each subscription's filters then pick
its events: the kinds (pages, blog posts, comments), a label, a page the content must be under,
and `edits:major` (versions Confluence marks as minor edits are skipped). A comment is judged by
the page it is on: `label:` and `under:` read that page's labels and ancestors.
"""

from __future__ import annotations

from datetime import datetime

from bot.notify.events import Event
from bot.notify.models import NotifyFilters

__all__ = ["matches", "needs_page_facts"]


def needs_page_facts(filters: NotifyFilters) -> bool:
    """Whether the filters read the labels or ancestors of a comment's page."""
    return "comment" in filters.kinds and (
        filters.label is not None or filters.under_page_id is not None
    )


def matches(filters: NotifyFilters, event: Event, *, subscribed_at: datetime) -> bool:
    """Whether a subscription with `filters`, made at `subscribed_at`, hears of `event`."""
    if event.when < subscribed_at:
        return False  # before the channel subscribed
    if event.content_type not in filters.kinds:
        return False
    if filters.edits == "major" and event.kind == "updated" and event.activity.minor_edit:
        return False
    facts = event.facts
    if filters.label is not None and filters.label.lower() not in {
        label.lower() for label in facts.labels
    }:
        return False
    under = filters.under_page_id
    return under is None or under == event.page_id or under in facts.ancestor_ids
