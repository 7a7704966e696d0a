"""Events close in time go into one DM (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.delivery.anchors import Anchor, AnchorKey
from bot.personal.feed import FeedEvent, plan_dms

T0 = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
KEY = AnchorKey("personal-dm", "T1:U1", "feed")


def event(n: int) -> tuple[FeedEvent, str]:
    return FeedEvent(f"task:{n}", "tasks", "assigned", "Page", None, T0), f"T1:U1@task:{n}"


def anchor(items: int, opened: datetime = T0) -> Anchor:
    shown = [event(n) for n in range(items)]
    return Anchor(
        KEY,
        "D1",
        "100.1",
        opened,
        opened,
        tuple(name for _, name in shown),
        {"items": [e.data() for e, _ in shown]},
    )


def test_without_a_recent_dm_the_events_open_one() -> None:
    (plan,) = plan_dms(None, [event(1), event(2)], T0)
    assert plan.update_ts is None and [e.id for e in plan.shown] == ["task:1", "task:2"]
    assert plan.names == plan.new_names == ("T1:U1@task:1", "T1:U1@task:2")
    (old,) = plan_dms(anchor(2, T0 - timedelta(minutes=11)), [event(5)], T0)
    assert old.update_ts is None and old.opened_at == T0


def test_events_within_the_window_update_the_dm_naming_everything_it_carries() -> None:
    (plan,) = plan_dms(anchor(2), [event(5)], T0 + timedelta(minutes=9))
    assert plan.update_ts == "100.1" and plan.opened_at == T0
    assert [e.id for e in plan.shown] == ["task:0", "task:1", "task:5"]
    assert plan.names == ("T1:U1@task:0", "T1:U1@task:1", "T1:U1@task:5")
    assert plan.new_names == ("T1:U1@task:5",) and [e.id for e in plan.events] == ["task:5"]


def test_a_full_dm_spills_into_new_ones_of_at_most_max_items() -> None:
    plans = plan_dms(anchor(3), [event(n) for n in range(10, 20)], T0, max_items=5)
    assert [p.update_ts for p in plans] == ["100.1", None, None]
    assert [len(p.shown) for p in plans] == [5, 5, 3]
    assert [len(p.events) for p in plans] == [2, 5, 3]
