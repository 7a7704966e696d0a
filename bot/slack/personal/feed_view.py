"""The words and blocks of the personal feed's DMs (Block Kit within Slack's limits: at most
15 items, a section each under a context line — far below 50 blocks and 3000 characters a
section)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.personal.feed import FeedEvent
from bot.slack import blocks

__all__ = ["FALLBACK_CHARS", "PAUSED", "dm_blocks", "dm_text", "item_text"]

Block = dict[str, Any]
FALLBACK_CHARS = 300
ICONS = {
    "mentioned": ":speech_balloon:",
    "commented": ":memo:",
    "replied": ":leftwards_arrow_with_hook:",
    "updated": ":pencil2:",
    "assigned": ":ballot_box_with_check:",
    "due": ":alarm_clock:",
}
PAUSED = (
    ":pause_button: Your Confluence connection stopped working, so I paused your personal "
    "notifications (mentions, comments, watched pages, tasks). Run `/confluence connect` to "
    "reconnect; they resume from then on."
)


def _where(event: FeedEvent) -> str:
    title = event.title or "a page"
    return blocks.link(event.url, title) if event.url else f"*{blocks.mrkdwn_escape(title)}*"


def _who(event: FeedEvent) -> str:
    return f"*{blocks.mrkdwn_escape(event.who)}*" if event.who else "Someone"


def _quote(text: str) -> str:
    return "\n".join(
        f"> {blocks.mrkdwn_escape(line)}" for line in text.splitlines() if line.strip()
    )


def headline(event: FeedEvent) -> str:
    where = _where(event)
    who = _who(event)
    if event.action == "mentioned":
        return f"{who} mentioned you on {where}"
    if event.action == "replied":
        return f"{who} replied to your comment on {where}"
    if event.action == "commented":
        hanging = ""
        if event.selection:
            hanging = f" (on “{blocks.mrkdwn_escape(event.selection)}”)"
        return f"{who} commented on {where}{hanging}"
    if event.action == "updated":
        version = f" (version {event.version})" if event.version else ""
        diff = f" · {blocks.link(event.diff_url, 'see the changes')}" if event.diff_url else ""
        return f"{who} updated {where}{version}{diff}"
    if event.action == "assigned":
        return f"{who} assigned you a task on {where}"
    return f"Your task on {where} is due today"


def item_text(event: FeedEvent) -> str:
    lines = [f"{ICONS.get(event.action, '')} {headline(event)}".strip()]
    if event.text:
        lines.append(_quote(event.text))
    return "\n".join(lines)


def dm_blocks(items: Sequence[FeedEvent]) -> list[Block]:
    count = len(items)
    lead = "Confluence: 1 update for you" if count == 1 else f"Confluence: {count} updates for you"
    found: list[Block] = [blocks.context(f"*{lead}*", block_id="pfeed:head")]
    found.extend(
        blocks.section(item_text(item), block_id=f"pfeed:{n}") for n, item in enumerate(items)
    )
    return found


def dm_text(items: Sequence[FeedEvent]) -> str:
    """The fallback text (notifications show it): what happened, short."""
    parts = [f"{e.who or 'Someone'} {e.action} · {e.title}" for e in items[:3]]
    more = f" and {len(items) - 3} more" if len(items) > 3 else ""
    return blocks.truncate("Confluence: " + "; ".join(parts) + more, FALLBACK_CHARS)
