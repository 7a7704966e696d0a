"""The words that tell a digest's owner it paused: why, and how to resume (kept on the Slack side)."""

from __future__ import annotations

import pytest

from bot.delivery import AccessLost, ChannelGone, SourceGone
from bot.slack.digests.poster import pause_notice


def test_archived_channel() -> None:
    assert pause_notice(ChannelGone("is_archived"), ["ENG", "OPS"], "C1") == (
        ":pause_button: I paused the Confluence digest of ENG,OPS for <#C1> because the channel "
        "was archived. To resume, invite me to the channel and run "
        "`/confluence digest subscribe ENG,OPS` there again."
    )


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("not_in_channel", "I was removed from the channel"),
        ("channel_not_found", "I can no longer see the channel (removed, or it was deleted)"),
        ("restricted_action_read_only_channel", "Slack refused the post (restricted_action"),
    ],
)
def test_other_channel_refusals_say_which(code: str, why: str) -> None:
    text = pause_notice(ChannelGone(code), ["ENG"], "C1")
    assert f"because {why}" in text and "`/confluence digest subscribe ENG`" in text


def test_deleted_space() -> None:
    assert pause_notice(SourceGone(), ["ENG"], "C9") == (
        ":pause_button: I paused the Confluence digest of ENG for <#C9> because the space no "
        "longer exists (or you can no longer see it). Run `/confluence digest unsubscribe ENG` "
        "in that channel to remove it."
    )


def test_lost_confluence_access_asks_to_reconnect() -> None:
    assert pause_notice(AccessLost(), ["ENG"], "C1") == (
        ":pause_button: I paused the Confluence digest of ENG for <#C1> because your Confluence "
        "connection no longer works. Run `/confluence connect`, then "
        "`/confluence digest subscribe ENG` in that channel to resume."
    )
