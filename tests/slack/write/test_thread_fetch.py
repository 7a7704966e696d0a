"""Reading a thread: the sentences for threads that can't be read, and the order kept."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_fake import FakeSlack


def test_thread_unavailable_sentences() -> None:
    from bot.slack.write.thread_fetch import INVITE_HINT, _unavailable

    assert "direct or group messages" in str(_unavailable("D1", "missing_scope"))
    assert str(_unavailable("G1", "channel_not_found")) == INVITE_HINT
    assert "no longer exists" in str(_unavailable("C1", "thread_not_found"))


async def test_fetch_thread_keeps_a_message_with_a_non_numeric_ts_last(
    slack_server: tuple[FakeSlack, str],
) -> None:
    from bot.slack.write.thread_fetch import fetch_thread

    slack, url = slack_server
    slack.add_channel("C_TS", "ts-check")
    slack.add_message("C_TS", {"ts": "200.000001", "user": "U1", "text": "parent"})
    slack.add_message("C_TS", {"ts": "200.000002", "thread_ts": "200.000001", "text": "reply"})
    slack.add_message("C_TS", {"ts": "oops", "thread_ts": "200.000001", "text": "odd"})
    client = AsyncWebClient(token=slack.bot_token, base_url=url + "/api/")
    thread = await fetch_thread(client, "C_TS", "200.000001")
    assert [m["text"] for m in thread] == ["parent", "reply", "odd"]
