from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.delivery import Anchor, AnchorKey, ClaimKey
from bot.notify import NewNotifySubscription, NotifyFilters, NotifySubscriptionStore
from bot.store import NOTIFY_DELIVERY_KIND, Store

from .claims import claim_one
from .conftest import NOW

LATER = NOW + timedelta(hours=1)


def _new(
    space_key: str = "ENG",
    channel_id: str = "C1",
    created_by: str = "U1",
    team_id: str = "T1",
    filters: NotifyFilters | None = None,
    under_title: str | None = None,
) -> NewNotifySubscription:
    return NewNotifySubscription(
        team_id=team_id,
        channel_id=channel_id,
        space_key=space_key,
        space_id=f"id-{space_key}",
        created_by=created_by,
        filters=filters or NotifyFilters(),
        under_title=under_title,
    )


def test_the_store_fits_the_feature_port(store: Store) -> None:
    port: NotifySubscriptionStore = store.notify
    assert port is store.notify


async def test_add_makes_one_row_per_space_with_its_filters(store: Store) -> None:
    narrow = NotifyFilters(
        kinds=frozenset({"page", "comment"}), label="runbook", under_page_id="42", edits="major"
    )
    saved = await store.notify.add(
        [_new("ENG", filters=narrow, under_title="Ops"), _new("OPS", filters=narrow)], now=NOW
    )
    assert [s.space_key for s in saved] == ["ENG", "OPS"]
    eng = saved[0]
    assert (eng.team_id, eng.channel_id, eng.space_id, eng.created_by) == (
        "T1",
        "C1",
        "id-ENG",
        "U1",
    )
    assert (eng.filters, eng.under_title, eng.paused_reason, eng.paused) == (
        narrow,
        "Ops",
        None,
        False,
    )
    assert eng.created_at == NOW
    assert await store.notify.in_channel("T1", "C1") == saved
    assert await store.notify.get(eng.id) == eng


async def test_defaults_round_trip(store: Store) -> None:
    (saved,) = await store.notify.add([_new()], now=NOW)
    assert saved.filters == NotifyFilters()
    assert saved.filters.kinds == {"page", "blogpost", "comment"}
    assert (saved.filters.label, saved.filters.under_page_id, saved.filters.edits) == (
        None,
        None,
        "all",
    )


async def test_subscribing_again_replaces_filters_and_owner_and_unpauses(store: Store) -> None:
    (first,) = await store.notify.add([_new(filters=NotifyFilters(label="a"))], now=NOW)
    await store.notify.set_paused([first.id], "space deleted", now=NOW)
    blogs = NotifyFilters(kinds=frozenset({"blogpost"}))
    (second,) = await store.notify.add([_new(created_by="U2", filters=blogs)], now=LATER)
    assert (second.id, second.created_at) == (first.id, NOW)
    assert (second.filters, second.created_by, second.paused_reason) == (blogs, "U2", None)
    assert await store.notify.in_channel("T1", "C1") == [second]


async def test_the_same_space_twice_in_one_add_keeps_the_last(store: Store) -> None:
    saved = await store.notify.add(
        [_new(filters=NotifyFilters(label="a")), _new(filters=NotifyFilters(label="b"))], now=NOW
    )
    assert [s.filters.label for s in saved] == ["b"]
    assert len(await store.notify.in_channel("T1", "C1")) == 1


async def test_nothing_half_saved_when_one_row_fails(store: Store) -> None:
    await store.notify.add([_new("OPS", filters=NotifyFilters(label="old"))], now=NOW)
    broken = NotifyFilters()
    object.__setattr__(broken, "edits", "some")  # past validation: the database refuses it
    with pytest.raises(sa.exc.IntegrityError):
        await store.notify.add(
            [
                _new("ENG"),
                _new("OPS", filters=NotifyFilters(label="new")),
                _new("BAD", filters=broken),
            ],
            now=LATER,
        )
    (ops,) = await store.notify.in_channel("T1", "C1")
    assert (ops.space_key, ops.filters.label) == ("OPS", "old")


async def test_by_user_and_channels_are_per_team(store: Store) -> None:
    await store.notify.add([_new("ENG", "C1", "U1"), _new("OPS", "C2", "U1")], now=NOW)
    await store.notify.add([_new("ENG", "C1", "U2", team_id="T2")], now=NOW)
    assert [(s.channel_id, s.space_key) for s in await store.notify.by_user("T1", "U1")] == [
        ("C1", "ENG"),
        ("C2", "OPS"),
    ]
    assert await store.notify.by_user("T1", "U2") == []
    assert [s.team_id for s in await store.notify.in_channel("T2", "C1")] == ["T2"]


async def test_active_leaves_out_paused_rows(store: Store) -> None:
    eng, ops = await store.notify.add([_new("ENG"), _new("OPS")], now=NOW)
    await store.notify.set_paused([eng.id], "paused by U1", now=LATER)
    assert [s.id for s in await store.notify.active()] == [ops.id]
    got = await store.notify.get(eng.id)
    assert got is not None and (got.paused, got.paused_reason) == (True, "paused by U1")
    await store.notify.set_paused([eng.id, ops.id], None, now=LATER)
    assert [s.id for s in await store.notify.active()] == [eng.id, ops.id]
    await store.notify.set_paused([], "ignored")  # nothing to do


async def test_remove_one_space_or_all_returns_what_went(store: Store) -> None:
    eng, _, _ = await store.notify.add([_new("ENG"), _new("OPS"), _new("DOC")], now=NOW)
    other = (await store.notify.add([_new("ENG", "C2")], now=NOW))[0]
    assert await store.notify.remove("T1", "C1", "ENG") == [eng]
    assert await store.notify.remove("T1", "C1", "ENG") == []
    gone = await store.notify.remove("T1", "C1", None)
    assert [s.space_key for s in gone] == ["OPS", "DOC"]
    assert await store.notify.in_channel("T1", "C1") == []
    assert await store.notify.in_channel("T1", "C2") == [other]


async def test_removed_subscriptions_take_their_claims_and_ids_are_not_reused(
    store: Store,
) -> None:
    (eng,) = await store.notify.add([_new("ENG")], now=NOW)
    key = ClaimKey(NOTIFY_DELIVERY_KIND, str(eng.id), "c1v1")
    assert await claim_one(store, key, "p1", 60, NOW) is not None
    await store.notify.remove("T1", "C1", "ENG")
    (again,) = await store.notify.add([_new("ENG")], now=LATER)
    assert again.id != eng.id
    # the old claim went with its subscription: the same key can be claimed afresh
    assert await claim_one(store, key, "p2", 60, LATER) is not None


async def test_removed_subscriptions_take_their_anchors_and_no_others(store: Store) -> None:
    eng, ops = await store.notify.add([_new("ENG"), _new("OPS")], now=NOW)
    keys = [
        AnchorKey("notify-thread", str(eng.id), "page:1"),
        AnchorKey("notify-merge", str(eng.id), "page:1:acc"),
        AnchorKey("notify-thread", str(ops.id), "page:1"),
        AnchorKey("personal-dm", str(eng.id), "feed"),  # another feature's, same subject
    ]
    await store.anchors.put([Anchor(k, "C1", "1.2", NOW, NOW) for k in keys])
    await store.notify.remove("T1", "C1", "ENG")
    assert set(await store.anchors.get_many(keys)) == {keys[2], keys[3]}


async def test_forget_user(store: Store) -> None:
    await store.notify.add([_new("ENG", "C1", "U1"), _new("OPS", "C2", "U1")], now=NOW)
    (kept,) = await store.notify.add([_new("DOC", "C1", "U2")], now=NOW)
    assert await store.notify.forget_user("T1", "U1") == 2
    assert await store.notify.forget_user("T1", "U1") == 0
    assert await store.notify.in_channel("T1", "C1") == [kept]


async def test_two_subscribes_at_once_leave_one_row(store: Store) -> None:
    await asyncio.gather(
        store.notify.add([_new(filters=NotifyFilters(label="a"))], now=NOW),
        store.notify.add([_new(filters=NotifyFilters(label="b"))], now=NOW),
    )
    (row,) = await store.notify.in_channel("T1", "C1")
    assert row.filters.label in ("a", "b")


def test_filters_refuse_what_no_subscription_can_hold() -> None:
    with pytest.raises(ValueError, match="kinds"):
        NotifyFilters(kinds=frozenset())
    with pytest.raises(ValueError, match="kinds"):
        NotifyFilters(kinds=frozenset({"whiteboard"}))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="edits"):
        NotifyFilters(edits="some")  # type: ignore[arg-type]
