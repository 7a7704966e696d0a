"""Slack ids -> names, each looked up once."""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from bot.convert import References
from bot.slack.write.names import SlackDirectory
from tests.fakes.slack_fake import FakeSlack


async def test_directory_calls_users_info_once_per_user(
    slack_server: tuple[FakeSlack, str],
) -> None:
    slack, url = slack_server
    slack.calls.clear()
    slack.add_user("U1", "ann", display_name="Annie")
    slack.add_user("U2", "bob", real_name="Bob B", tz="America/New_York")
    directory = SlackDirectory(AsyncWebClient(token=slack.bot_token, base_url=url + "/api/"))
    refs = References(user_ids=frozenset({"U1", "U2", "U404"}))
    names, tz, again = await asyncio.gather(
        directory.names_for(refs), directory.tz("U2"), directory.display_name("U1")
    )
    await directory.names_for(refs)
    assert names.users == {"U1": "Annie", "U2": "Bob B", "U404": "U404"}
    assert str(tz) == "America/New_York" and again == "Annie"
    assert len(slack.calls_to("users.info")) == 3 == directory.users_info_calls
