"""App Home's personal sections ("Your tasks", the notification checkboxes), and swapping the
tasks section, or one of its rows, in the tab a user has open."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import ConfluenceError
from bot.personal import NotLinked
from bot.slack import blocks
from bot.slack.caller import Caller
from bot.slack.home import AppHome
from bot.slack.personal import preferences_view, tasks_view
from bot.slack.personal.build import personal_service
from bot.slack.services import Services

log = logging.getLogger("bot.slack.personal")

Block = dict[str, Any]
HOME_NOT_LINKED = {
    "direct": "*Your tasks and personal notifications* need per-user identities: this app "
    "reaches Confluence with one API token for everyone (direct mode).",
    "not_connected": "*Your tasks and personal notifications*: connect your Atlassian account "
    "(above) to see your open Confluence tasks here and choose what I tell you about.",
    "pending": "*Your tasks and personal notifications*: finish connecting your account (above) "
    "to see them here.",
    "stale": "*Your tasks and personal notifications*: your connection stopped working; "
    "reconnect (above) to see them again.",
}


async def tasks_section(services: Services, caller: Caller) -> list[Block]:
    """The first page of the user's open tasks, or why there is none to show."""
    try:
        page = await personal_service(services).open_tasks(
            caller.team_id, caller.user_id, size=tasks_view.HOME_PAGE
        )
    except NotLinked as exc:
        return tasks_view.home_unavailable(HOME_NOT_LINKED[exc.reason])
    except ConfluenceError as exc:
        text = await services.on_confluence_error(
            exc, caller.team_id, caller.user_id, action="home-tasks"
        )
        return tasks_view.home_unavailable(f"*Your tasks* could not be loaded. {text}")
    return tasks_view.home_section(page)


async def preferences_section(services: Services, caller: Caller) -> list[Block]:
    """The notification checkboxes and what the DM feed does with them; "paused" for a user
    whose connection went stale (nothing for one without their own identity: the tasks section
    above says what to do)."""
    try:
        preferences = await personal_service(services).preferences(caller.team_id, caller.user_id)
    except NotLinked as exc:
        return preferences_view.paused_blocks() if exc.reason == "stale" else []
    return preferences_view.home_blocks(preferences)


def _block_id(block: Mapping[str, Any]) -> str:
    return str(block.get("block_id") or "")


def splice(
    shown: Sequence[Block], replacing: str, replacement: Sequence[Block], *, exact: bool = False
) -> list[Block] | None:
    """`shown` with the blocks whose id starts with (or, `exact`, is) `replacing` replaced by
    `replacement`, where they were; None when the tab has no such block."""
    hits = [
        n
        for n, block in enumerate(shown)
        if (_block_id(block) == replacing if exact else _block_id(block).startswith(replacing))
    ]
    if not hits:
        return None
    return [*shown[: hits[0]], *replacement, *shown[hits[-1] + 1 :]]


async def show_on_home(
    home: AppHome,
    client: AsyncWebClient,
    caller: Caller,
    view: Mapping[str, Any],
    shown: list[Block] | None,
) -> None:
    """Update the tab the click came from to `shown`, unless it changed meanwhile (Slack's hash
    says so) or is unknown: then publish the whole tab afresh."""
    view_id, hash_ = view.get("id"), view.get("hash")
    if shown is not None and isinstance(view_id, str):
        try:
            await client.views_update(
                view_id=view_id,
                hash=hash_ if isinstance(hash_, str) else None,
                view=blocks.home(shown),
            )
            return
        except SlackApiError as exc:
            log.info(
                "home update refused user=%s error=%s", caller.user_id, exc.response.get("error")
            )
    await home.publish(client, caller)


def with_note(shown: Sequence[Block], text: str) -> list[Block] | None:
    """`shown` with `text` as the note under the tasks section's heading (replacing an older
    one); None when the tab has no tasks section."""
    note = tasks_view.note_block(text)
    kept = [block for block in shown if _block_id(block) != _block_id(note)]
    head = f"{tasks_view.BLOCK_PREFIX}head"
    at = next((n + 1 for n, block in enumerate(kept) if _block_id(block) == head), None)
    return None if at is None else [*kept[:at], note, *kept[at:]]


def home_blocks(view: Mapping[str, Any]) -> list[Block]:
    found = view.get("blocks")
    return [b for b in found if isinstance(b, dict)] if isinstance(found, list) else []
