"""Each subscription's filters pick its events (pure)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.notify.events import PageFacts
from bot.notify.filters import matches, needs_page_facts
from bot.notify.models import NotifyFilters
from tests.notify.activity import T0, comment, event, hit

BEFORE = T0 - timedelta(days=1)


def test_kinds() -> None:
    only_pages = NotifyFilters(kinds=frozenset({"page"}))
    assert matches(only_pages, event(hit("1")), subscribed_at=BEFORE)
    assert not matches(only_pages, event(hit("2", type="blogpost")), subscribed_at=BEFORE)
    assert not matches(only_pages, event(comment("c1")), subscribed_at=BEFORE)


def test_major_edits_skip_minor_updates_but_not_creations() -> None:
    major = NotifyFilters(edits="major")
    minor_update = event(hit("1", version=3, created=-timedelta(days=1), minor_edit=True))
    assert not matches(major, minor_update, subscribed_at=BEFORE)
    assert matches(NotifyFilters(), minor_update, subscribed_at=BEFORE)
    assert matches(major, event(hit("2", minor_edit=True)), subscribed_at=BEFORE)


def test_label_and_under_read_the_page_a_comment_is_on() -> None:
    facts = PageFacts(("Runbook",), ("1", "10"))
    page = event(hit("100", facts=facts))
    note = event(comment("c1", on="100"), **{"100": facts})
    for filters in (NotifyFilters(label="runbook"), NotifyFilters(under_page_id="10")):
        assert matches(filters, page, subscribed_at=BEFORE)
        assert matches(filters, note, subscribed_at=BEFORE)
    assert not matches(NotifyFilters(label="howto"), page, subscribed_at=BEFORE)
    assert not matches(NotifyFilters(under_page_id="11"), note, subscribed_at=BEFORE)
    # The page named by under: itself counts.
    assert matches(NotifyFilters(under_page_id="100"), page, subscribed_at=BEFORE)
    # Unknown facts (the comment's page could not be read): no match rather than noise.
    assert not matches(
        NotifyFilters(label="runbook"), event(comment("c2", on="300")), subscribed_at=BEFORE
    )


def test_nothing_from_before_the_subscription() -> None:
    assert not matches(NotifyFilters(), event(hit("1")), subscribed_at=T0 + timedelta(seconds=1))


@pytest.mark.parametrize(
    ("filters", "needs"),
    [
        (NotifyFilters(), False),
        (NotifyFilters(label="x"), True),
        (NotifyFilters(under_page_id="1"), True),
        (NotifyFilters(label="x", kinds=frozenset({"page"})), False),
    ],
)
def test_page_facts_are_looked_up_only_when_a_filter_reads_them(
    filters: NotifyFilters, needs: bool
) -> None:
    assert needs_page_facts(filters) is needs
