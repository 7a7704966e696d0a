"""Delivery's Slack side against the Slack fake on loopback: marked posts, thread replies and
updates in place, each found again where it is (the crash window's check on takeover)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import ChannelPacer, ChannelUnavailable, ClaimKey, DeliveryMark
from bot.slack.delivery import SlackMessenger
from tests.fakes.server import serve
from tests.fakes.slack_fake import FakeSlack

EVENT = "confluence_test"
SINCE = datetime(2020, 1, 1, tzinfo=UTC)
FIRST, SECOND = ClaimKey("test", "sub-1", "e1"), ClaimKey("test", "sub-1", "e2")


@pytest.fixture
async def slack() -> AsyncIterator[tuple[FakeSlack, SlackMessenger]]:
    fake = FakeSlack()
    fake.add_channel("C1", "general")
    fake.add_channel("C2", "old", is_archived=True)
    with serve(fake.app) as url:
        client = AsyncWebClient(token=fake.bot_token, base_url=url + "/api/")
        yield fake, SlackMessenger(client, pacer=ChannelPacer(0))


async def test_a_reply_is_found_in_its_thread_not_in_the_channel(
    slack: tuple[FakeSlack, SlackMessenger],
) -> None:
    fake, messenger = slack
    parent = await messenger.post("C1", text="page", blocks=[], mark=DeliveryMark.of(EVENT, []))
    mark = DeliveryMark.of(EVENT, [FIRST])
    reply = await messenger.post("C1", text="comment", blocks=[], mark=mark, thread_ts=parent)
    [posted] = [m for m in fake.messages["C1"] if m["ts"] == reply]
    assert posted["thread_ts"] == parent and posted["metadata"] == mark.metadata()
    assert await messenger.find_posted("C1", mark, SINCE) is None  # history: top level only
    assert await messenger.find_posted("C1", mark, SINCE, thread_ts=parent) == reply
    replies = fake.calls_to("conversations.replies")
    assert replies and replies[0].args.get("include_all_metadata") in (True, "true", "1")


async def test_an_update_in_place_carries_every_delivery_it_now_holds(
    slack: tuple[FakeSlack, SlackMessenger],
) -> None:
    fake, messenger = slack
    ts = await messenger.post("C1", text="v1", blocks=[], mark=DeliveryMark.of(EVENT, [FIRST]))
    both = DeliveryMark.of(EVENT, [FIRST, SECOND])
    assert await messenger.update("C1", ts, text="v1, v2", blocks=[], mark=both) == ts
    assert len(fake.messages["C1"]) == 1 and fake.messages["C1"][0]["text"] == "v1, v2"
    for key in (FIRST, SECOND):
        assert await messenger.find_posted("C1", DeliveryMark.of(EVENT, [key]), SINCE) == ts


async def test_a_channel_that_cannot_take_messages_says_so(
    slack: tuple[FakeSlack, SlackMessenger],
) -> None:
    _, messenger = slack
    with pytest.raises(ChannelUnavailable) as refused:
        await messenger.post("C2", text="x", blocks=[], mark=DeliveryMark.of(EVENT, [FIRST]))
    assert refused.value.reason == "is_archived"
