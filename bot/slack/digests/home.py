"""The digest section of App Home: the digests this user set up, each with Unsubscribe."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.digest import describe
from bot.digest.service import schedule_from_store
from bot.slack import blocks
from bot.slack.caller import Caller
from bot.slack.home import AppHome
from bot.slack.services import Services
from bot.store import Subscription

log = logging.getLogger("bot.slack.digests")

UNSUBSCRIBE_ACTION = "digest_unsubscribe"
HOME_LIMIT = 20  # subscriptions listed on App Home (each is one block; Home allows 100)


async def home_blocks(services: Services, caller: Caller) -> list[dict[str, Any]]:
    """The subscriptions this user created, each with an Unsubscribe button."""
    subs = await services.store.subscriptions.list_by_creator(caller.team_id or "", caller.user_id)
    if not subs:
        return []
    rows = [blocks.divider(), blocks.header("Your digests")]
    rows.extend(_home_row(sub) for sub in subs[:HOME_LIMIT])
    if len(subs) > HOME_LIMIT:
        rows.append(
            blocks.context(
                f"…and {len(subs) - HOME_LIMIT} more. Run `/confluence digest list` in a channel "
                "to see its digests."
            )
        )
    return rows


def _home_row(sub: Subscription) -> dict[str, Any]:
    schedule = schedule_from_store(sub.schedule)
    paused = " · :pause_button: paused" if sub.paused else ""
    return blocks.section(
        f"*{blocks.mrkdwn_escape(sub.space_key)}* in <#{sub.channel_id}> — {describe(schedule)}"
        f"{paused}",
        accessory=blocks.button("Unsubscribe", UNSUBSCRIBE_ACTION, value=str(sub.id)),
    )


async def unsubscribe_from_home(
    services: Services,
    home: AppHome,
    client: AsyncWebClient,
    caller: Caller,
    value: str,
) -> None:
    if not value.isdigit():
        return
    sub = await services.store.subscriptions.get(int(value))
    # Only the owner's Home shows the button; a forged payload must not remove others' digests.
    if (
        sub is not None
        and sub.created_by == caller.user_id
        and sub.team_id == (caller.team_id or "")
    ):
        await services.store.subscriptions.delete(sub.id)
        log.info("digest unsubscribed from home subscription=%s user=%s", sub.id, caller.user_id)
    await home.publish(client, caller)
