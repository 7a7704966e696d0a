"""The notifications section of App Home: the channel notifications this user set up, beside
their digests, each with a menu to pause, resume or unsubscribe it."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import ConfluenceError
from bot.notify import NotifySubscription, Subscriber
from bot.slack import blocks
from bot.slack.caller import Caller
from bot.slack.digests.members import ensure_member
from bot.slack.home import AppHome
from bot.slack.notify.answers import describe, pause_state, resumed_text
from bot.slack.notify.subscriptions import notify_service
from bot.slack.private_message import tell_user
from bot.slack.services import Services

__all__ = ["HOME_LIMIT", "MANAGE_ACTION", "home_blocks", "manage_from_home", "parse_value"]

log = logging.getLogger("bot.slack.notify")

MANAGE_ACTION = "notify_manage"
HOME_LIMIT = 20  # subscriptions listed on App Home (each is one block; Home allows 100)
VERBS = ("pause", "resume", "unsubscribe")


async def home_blocks(services: Services, caller: Caller) -> list[dict[str, Any]]:
    """The subscriptions this user set up, each with its menu."""
    subs = await notify_service(services).of_user(caller.team_id or "", caller.user_id)
    if not subs:
        return []
    rows = [blocks.divider(), blocks.header("Your channel notifications")]
    rows.extend(_row(sub) for sub in subs[:HOME_LIMIT])
    if len(subs) > HOME_LIMIT:
        rows.append(
            blocks.context(
                f"…and {len(subs) - HOME_LIMIT} more. Run `/confluence notify list` in a channel "
                "to see its notifications."
            )
        )
    return rows


def _row(sub: NotifySubscription) -> dict[str, Any]:
    first = "resume" if sub.paused else "pause"
    menu = blocks.overflow(
        MANAGE_ACTION,
        [
            blocks.option("Resume" if sub.paused else "Pause", f"{first}:{sub.id}"),
            blocks.option("Unsubscribe", f"unsubscribe:{sub.id}"),
        ],
    )
    state = "" if not sub.paused else f" · {pause_state(sub.paused_reason)}"
    return blocks.section(
        f"*{blocks.mrkdwn_escape(sub.space_key)}* in <#{sub.channel_id}> — "
        f"{describe(sub.filters, sub.under_title)}{state}",
        accessory=menu,
    )


def parse_value(value: str) -> tuple[str, int] | None:
    """("pause" | "resume" | "unsubscribe", subscription id) from a menu option's value."""
    verb, _, number = value.partition(":")
    if verb not in VERBS or not (number.isascii() and number.isdigit()):
        return None
    return verb, int(number)


async def manage_from_home(
    services: Services, home: AppHome, client: AsyncWebClient, caller: Caller, value: str
) -> None:
    """Act on one of the user's own subscriptions, then show the tab again. Only the owner's
    Home shows the menu: a forged payload naming someone else's subscription changes nothing."""
    parsed = parse_value(value)
    service = notify_service(services)
    sub = await services.store.notify.get(parsed[1]) if parsed else None
    if (
        parsed is None
        or sub is None
        or sub.created_by != caller.user_id
        or sub.team_id != (caller.team_id or "")
    ):
        log.info("notify home action ignored value=%r user=%s", value[:40], caller.user_id)
        await home.publish(client, caller)
        return
    verb = parsed[0]
    who = Subscriber(sub.team_id, caller.user_id, sub.channel_id)
    keys = [sub.space_key]
    problem: str | None = None
    if verb == "unsubscribe":
        await service.unsubscribe(who, keys, _owner_only)
    elif verb == "pause":
        await service.pause(who, keys, _owner_only)
    else:
        problem = await _resume(services, client, who, keys)
    log.info("notify %s from home subscription=%s user=%s", verb, sub.id, caller.user_id)
    if problem is not None:
        await tell_user(client, caller.user_id, None, problem)
    await home.publish(client, caller)


async def _resume(
    services: Services, client: AsyncWebClient, who: Subscriber, keys: list[str]
) -> str | None:
    """None when resumed; else what to tell the user."""
    channel = f"<#{who.channel_id}>"
    problem = await ensure_member(client, who.channel_id, what="Confluence notifications")
    if problem is not None:
        return f"I can't resume notifications in {channel}: {problem}"
    try:
        resumed = await notify_service(services).resume(who, keys, _owner_only)
    except ConfluenceError as exc:
        text = await services.on_confluence_error(
            exc, who.team_id or None, who.user_id, action="notify resume"
        )
        return f"I couldn't resume notifications in {channel}: {text}"
    if resumed.changed.done:
        return None
    answer = resumed_text(resumed, linked_members_may=False)
    return f"Notifications in {channel}: {answer}"


async def _owner_only() -> bool:
    """On App Home a user acts on their own subscriptions only."""
    return False
