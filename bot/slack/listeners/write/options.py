"""Options loads of the write modals' type-ahead selects: spaces, parent pages, any page."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot.confluence import ConfluenceClient, ConfluenceError
from bot.slack.block_limits import OPTIONS_PER_SELECT
from bot.slack.blocks import Element, option, options_response
from bot.slack.caller import Caller
from bot.slack.error_messages import short_message
from bot.slack.identity import IdentityRequired
from bot.slack.services import Services
from bot.slack.write import views
from bot.slack.write.view_state import chosen_space
from bot.write.pickers import find_pages, find_spaces

log = logging.getLogger("bot.slack.write")
# Options loads answer in the ack, so Confluence gets what is left of Slack's 3 s.
OPTIONS_BUDGET_SECONDS = 2.5
# The value of the one option that says what went wrong (choosing it is refused on submit).
OPTION_PROBLEM = "problem"


def register(app: AsyncApp, services: Services) -> None:
    async def on_options(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        action_id = str(body.get("action_id") or "")
        view = body.get("view") or {}
        space_key: str | None = None
        if action_id == views.PARENT_ACTION:
            space = chosen_space(view)
            if space is None:  # parents are looked for in the chosen space only
                await ack(options=[])
                return
            space_key = space.key
        query = str(body.get("value") or "")
        caller = Caller.of(context, body)
        await ack(**await _options(services, caller, action_id, query, space_key))

    for action_id in (views.SPACE_ACTION, views.PARENT_ACTION, views.PAGE_ACTION):
        app.options(action_id)(on_options)


async def _load(
    confluence: ConfluenceClient, action_id: str, query: str, space_key: str | None
) -> list[Element]:
    if action_id == views.SPACE_ACTION:
        spaces = await find_spaces(confluence, query, limit=OPTIONS_PER_SELECT)
        return [views.space_option(s.choice, s.name) for s in spaces]
    pages = await find_pages(confluence, query, space_key=space_key)
    return [option(p.title, p.id, description=p.where) for p in pages]


async def _options(
    services: Services, caller: Caller, action_id: str, query: str, space_key: str | None
) -> dict[str, Any]:
    try:
        confluence = await services.confluence_for(caller.team_id, caller.user_id)
        loading = _load(confluence, action_id, query, space_key)
        options = await asyncio.wait_for(loading, OPTIONS_BUDGET_SECONDS)
    except (ConfluenceError, IdentityRequired) as exc:
        await services.on_confluence_error(exc, caller.team_id, caller.user_id, action="options")
        # An options response cannot carry a message: the one option says what is wrong
        # (choosing it is refused on submit, like no choice).
        options = [option(short_message(exc), OPTION_PROBLEM)]
    except TimeoutError:
        log.warning("options load timed out action=%s %s", action_id, caller.about)
        options = [option("⚠ Confluence is slow to answer — type again", OPTION_PROBLEM)]
    return options_response(options)
