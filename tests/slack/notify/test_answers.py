from __future__ import annotations

import pytest

from bot.delivery import AccessLost, ChannelGone, PauseReason, SourceGone
from bot.notify import NotifyFilters, manual_pause
from bot.slack.notify.answers import describe, pause_state, paused_dm


@pytest.mark.parametrize(
    ("reason", "why", "how"),
    [
        (ChannelGone("is_archived"), "because the channel was archived", "invite me"),
        (ChannelGone("not_in_channel"), "because I was removed from the channel", "invite me"),
        (ChannelGone("weird_error"), "because Slack refused the post (weird_error)", "invite me"),
        (AccessLost(), "your Confluence connection no longer works", "`/confluence connect`"),
        (SourceGone(), "the space no longer exists (or you can no longer see it)", "unsubscribe"),
    ],
)
def test_paused_dm_says_what_why_and_how_to_resume(reason: PauseReason, why: str, how: str) -> None:
    text = paused_dm(reason, ["ENG", "OPS"], "C123")
    assert text.startswith(
        ":pause_button: I paused the Confluence notifications of ENG,OPS for <#C123>"
    )
    assert why in text and how in text
    assert "`/confluence notify resume ENG,OPS`" in text


def test_paused_dm_for_a_gone_space_names_how_to_remove_it() -> None:
    assert "`/confluence notify unsubscribe ENG`" in paused_dm(SourceGone(), ["ENG"], "C1")


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (None, "active"),
        (manual_pause("U42"), "paused by <@U42>"),
        (SourceGone().stored, "the space was deleted, or its owner can no longer see it"),
        (AccessLost().stored, "its owner's Confluence connection stopped working"),
        (ChannelGone("is_archived").stored, "paused: the channel was archived"),
        (ChannelGone("odd").stored, "paused: channel: odd"),
        ("something <new>", "paused (something &lt;new&gt;)"),
    ],
)
def test_pause_state_reads_every_stored_reason(stored: str | None, shown: str) -> None:
    assert shown in pause_state(stored)


@pytest.mark.parametrize(
    ("filters", "under_title", "said"),
    [
        (NotifyFilters(), None, "pages, blog posts and comments"),
        (NotifyFilters(kinds=frozenset({"comment"})), None, "comments"),
        (NotifyFilters(kinds=frozenset({"comment", "page"})), None, "pages and comments"),
        (
            NotifyFilters(kinds=frozenset({"page"}), label="a_b", under_page_id="7", edits="major"),
            "R&D <x>",
            "pages · label `a_b` · under “R&amp;D &lt;x&gt;” · major edits only",
        ),
        (NotifyFilters(under_page_id="7"), None, "under “page 7”"),
    ],
)
def test_describe(filters: NotifyFilters, under_title: str | None, said: str) -> None:
    assert said in describe(filters, under_title)
