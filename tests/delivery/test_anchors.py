"""Anchors and watermark advances go with a delivery: `Courier.send(..., then=[...])` writes
them in the completions' transaction, only once the post went out (SQLite; PostgreSQL when
configured)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.delivery import (
    Anchor,
    AnchorKey,
    AnchorWrite,
    ClaimKey,
    DeliveryMark,
    Failed,
    Posted,
    PostFailed,
)
from bot.polling import WatermarkAdvance
from bot.store import Store

from .test_courier import EVENT, NOW, Channel, Transactions, courier, slack

__all__ = ["slack"]  # the Slack fixture

THREAD = AnchorKey("notify-thread", "sub-1", "page:123")
GROUP = "notify:conn-1:ENG"


def test_keys_order_and_anchors_default_to_no_names_and_no_data() -> None:
    assert sorted([AnchorKey("b", "1", "x"), AnchorKey("a", "2", "y")])[0].kind == "a"
    anchor = Anchor(THREAD, "C1", "1.0", NOW, NOW)
    assert (anchor.names, dict(anchor.data)) == ((), {})
    with pytest.raises(AttributeError):
        anchor.ts = "2.0"  # type: ignore[misc]


async def test_send_writes_the_anchor_and_the_watermark_with_the_completion(
    store: Store, slack: Channel
) -> None:
    keys = [ClaimKey("notify", "sub-1", "page:123@1"), ClaimKey("notify", "sub-1", "page:123@2")]
    sender = courier(store, slack)
    claims = await sender.claim(keys, NOW)
    mark = DeliveryMark.of(EVENT, keys)

    async def post() -> str:
        return slack.post("C1", mark)

    until = NOW + timedelta(minutes=1)
    sent = await sender.send("C1", claims, post, NOW, then=[WatermarkAdvance(GROUP, until)])
    assert isinstance(sent, Posted)
    anchor = Anchor(THREAD, "C1", sent.ts, NOW, NOW, tuple(mark.claims), {"versions": [1, 2]})
    # The anchor of a message already posted, with the next delivery (an update of it).
    again = [ClaimKey("notify", "sub-1", "page:123@3")]
    more = await sender.claim(again, NOW)

    async def update() -> str:
        return slack.update("C1", sent.ts, DeliveryMark.of(EVENT, keys + again))

    await sender.send("C1", more, update, NOW, then=[AnchorWrite(anchor)])
    assert await store.anchors.get_many([THREAD]) == {}  # batched: not written yet
    transactions = Transactions(store)
    assert await sender.flush() == []
    assert transactions.count == 1  # completions, anchor and watermark together
    assert await store.anchors.get_many([THREAD]) == {THREAD: anchor}
    assert await store.watermarks.get_many([GROUP]) == {GROUP: until}
    assert all([await sender.is_delivered(k) for k in keys + again])


async def test_a_failed_post_writes_neither(store: Store, slack: Channel) -> None:
    key = ClaimKey("notify", "sub-1", "page:123@1")
    sender = courier(store, slack)
    claims = await sender.claim([key], NOW)

    async def post() -> str:
        raise PostFailed("ratelimited", retry_after=30)

    anchor = Anchor(THREAD, "C1", "1.0", NOW, NOW)
    then = [AnchorWrite(anchor), WatermarkAdvance(GROUP, NOW)]
    assert isinstance(await sender.send("C1", claims, post, NOW, then=then), Failed)
    await sender.flush()
    assert await store.anchors.get_many([THREAD]) == {}
    assert await store.watermarks.get_many([GROUP]) == {}
