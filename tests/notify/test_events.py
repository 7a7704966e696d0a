"""Search hits become events: which, of what kind, with what id, in what order (pure)."""

from __future__ import annotations

from datetime import timedelta

from bot.notify.events import PageFacts, events_in
from tests.notify.activity import T0, comment, hit

SINCE = {"ENG": T0 - timedelta(minutes=2), "OPS": T0}


def test_a_new_page_an_edit_and_a_comment() -> None:
    hits = [
        comment("c1", on="100", at=timedelta(seconds=40)),
        hit("100", version=1, at=timedelta(seconds=10)),
        hit("200", version=4, at=timedelta(seconds=20), created=-timedelta(days=3)),
    ]
    events = events_in(hits, SINCE)
    assert [(e.id, e.kind) for e in events] == [
        ("c100v1", "created"),
        ("c200v4", "updated"),
        ("mc1", "commented"),
    ]
    assert [e.topic for e in events] == ["page:100", "page:200", "page:100"]


def test_a_page_created_and_edited_before_the_poll_is_one_creation() -> None:
    (created,) = events_in(
        [hit("100", version=3, at=timedelta(seconds=50), created=timedelta())], SINCE
    )
    assert (created.id, created.kind) == ("c100v3", "created")


def test_activity_before_its_spaces_window_is_not_an_event() -> None:
    # OPS's window starts later than ENG's: the group's query reads from the earliest.
    hits = [
        hit("1", space="OPS", at=-timedelta(minutes=1)),
        hit("2", space="ENG", at=-timedelta(minutes=1)),
    ]
    assert [e.id for e in events_in(hits, SINCE)] == ["c2v1"]
    assert events_in([hit("3", space="DOC")], SINCE) == []  # a space nobody polled


def test_an_edited_old_comment_is_not_news() -> None:
    old = comment("c9", at=timedelta(seconds=5), created_at=T0 - timedelta(days=2))
    assert events_in([old], SINCE) == []


def test_a_comment_carries_its_pages_facts_from_the_hits_or_the_lookup() -> None:
    page = hit("100", version=2, created=-timedelta(days=1), facts=PageFacts(("runbook",), ("1",)))
    events = events_in([page, comment("c1", on="100", at=timedelta(seconds=1))], SINCE)
    assert events[1].facts == PageFacts(("runbook",), ("1",))
    looked_up = {"300": PageFacts(("howto",), ())}
    (alone,) = events_in([comment("c2", on="300")], SINCE, looked_up)
    assert alone.facts.labels == ("howto",)
    (unknown,) = events_in([comment("c3", on="400")], SINCE)
    assert unknown.facts == PageFacts()
