"""Personal notification preferences: the answer to `/confluence me` and App Home's checkboxes."""

from __future__ import annotations

from typing import Any

from bot.personal import KINDS, Kind, Preferences, SwitchPreferences
from bot.slack import blocks

Block = dict[str, Any]

PREFERENCES_ACTION = "personal_preferences"
BLOCK_PREFIX = "pprefs:"
WHAT: dict[Kind, str] = {
    "mentions": "Mentions of you",
    "comments": "Comments on your pages, replies to yours",
    "watching": "Updates to pages you watch",
    "tasks": "Tasks assigned to you, due dates reached",
}
FEED_ON = (
    ":bell: I send these to you by DM as they happen (I check every few minutes; what happens "
    "close together comes as one message). Your own actions never notify you."
)
FEED_OFF = ":no_bell: All off: I send you no personal notifications."
FEED_PAUSED = (
    ":pause_button: *Your personal notifications are paused*: your Confluence connection "
    "stopped working. Reconnect (above, or `/confluence connect`) and they resume."
)


def feed_note(preferences: Preferences) -> str:
    """What the feed does with this choice."""
    return FEED_ON if preferences.enabled else FEED_OFF


CHANGE = "Change them with `/confluence me on|off [mentions] [comments] [watching] [tasks]` or in App Home."


def summary(preferences: Preferences) -> str:
    return " · ".join(
        f"{kind} {':white_check_mark: on' if preferences.wants(kind) else ':no_bell: off'}"
        for kind in KINDS
    )


def me_text(preferences: Preferences, switched: SwitchPreferences | None = None) -> str:
    """The answer to `/confluence me` (and to `me on|off …`, saying what changed)."""
    lead = "*Your personal notifications by DM*"
    if switched is not None:
        kinds = "all of them" if switched.kinds == KINDS else ", ".join(switched.kinds)
        lead = f"Turned {'on' if switched.on else 'off'}: {kinds}. {lead}"
    return f"{lead}: {summary(preferences)}\n{CHANGE}\n{feed_note(preferences)}"


def home_blocks(preferences: Preferences) -> list[Block]:
    """App Home: one checkbox per kind, ticked when on (a click sends the whole choice)."""
    options = [blocks.option(WHAT[kind], kind) for kind in KINDS]
    ticked = [
        option for option, kind in zip(options, KINDS, strict=True) if preferences.wants(kind)
    ]
    return [
        blocks.divider(block_id=f"{BLOCK_PREFIX}top"),
        blocks.section("*Notify me by DM about*", block_id=f"{BLOCK_PREFIX}head"),
        blocks.actions(
            blocks.checkboxes(PREFERENCES_ACTION, options, checked=ticked),
            block_id=f"{BLOCK_PREFIX}kinds",
        ),
        blocks.context(feed_note(preferences), block_id=f"{BLOCK_PREFIX}note"),
    ]


def paused_blocks() -> list[Block]:
    """App Home for a user whose connection went stale: the feed is paused."""
    return [
        blocks.divider(block_id=f"{BLOCK_PREFIX}top"),
        blocks.section(FEED_PAUSED, block_id=f"{BLOCK_PREFIX}paused"),
    ]
