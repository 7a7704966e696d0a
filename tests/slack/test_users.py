"""What users.info says about one person, read the same way by digests and saves."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.users import user_info, zone_name
from tests.fakes.slack_fake import FakeSlack


async def test_user_info_is_the_user_or_none(slack_server: tuple[FakeSlack, str]) -> None:
    slack, url = slack_server
    slack.add_user("U1", "ann", tz="Asia/Tokyo")
    client = AsyncWebClient(token=slack.bot_token, base_url=url + "/api/")
    ann = await user_info(client, "U1")
    assert ann is not None and ann["name"] == "ann"
    assert await user_info(client, "U404") is None  # user_not_found: logged, not raised


def test_zone_name_falls_back_to_utc() -> None:
    assert zone_name({"tz": "Asia/Tokyo"}) == "Asia/Tokyo"
    assert zone_name({"tz": "Mars/Olympus_Mons"}) == "UTC"  # unknown here
    assert zone_name({"tz": "../etc/passwd"}) == "UTC"  # not a zone key at all
    assert zone_name({"tz": ""}) == zone_name({}) == zone_name(None) == "UTC"
