"""What the personal buttons do once Slack has its ack: Done, the task pages, the checkboxes.

A click on a message (the answer to `/confluence tasks`) is answered by replacing that message; a
click on App Home updates the tab in place (bot.slack.personal.home). A failure Confluence reports
is said there too, and logged (Services.on_confluence_error, which also marks a user's connection
stale when it has stopped working)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import ConfluenceError
from bot.personal import NotLinked, Settled, TasksPage
from bot.personal.preferences import kind_of
from bot.personal.tasks import key_of
from bot.slack.caller import Caller
from bot.slack.home import AppHome
from bot.slack.personal import tasks_view
from bot.slack.personal.answers import not_linked_text
from bot.slack.personal.build import personal_service
from bot.slack.personal.home import home_blocks, show_on_home, splice, with_note
from bot.slack.services import Services

log = logging.getLogger("bot.slack.personal")

YOUR_TASKS = "Your tasks"


def cursor_of(value: str) -> str | None:
    """A paging button's value: the next page's cursor, or FIRST."""
    return None if value in ("", tasks_view.FIRST) else value


async def _page(
    services: Services,
    caller: Caller,
    after: str | None,
    size: int,
    settled: Settled | None = None,
) -> TasksPage:
    if after is not None:
        try:
            key_of(after)
        except ValueError:  # a cursor this app did not write: from the start
            log.warning("task cursor refused user=%s cursor=%r", caller.user_id, after[:80])
            after = None
    return await personal_service(services).open_tasks(
        caller.team_id, caller.user_id, after=after, size=size, settled=settled
    )


async def _failed(services: Services, caller: Caller, exc: ConfluenceError, action: str) -> str:
    return await services.on_confluence_error(exc, caller.team_id, caller.user_id, action=action)


# -- on the message ----------------------------------------------------------------------------


async def page_in_message(
    services: Services, caller: Caller, value: str, respond: AsyncRespond
) -> None:
    await _answer(services, caller, respond, after=cursor_of(value), task_id=None)


async def done_in_message(
    services: Services, caller: Caller, value: str, respond: AsyncRespond
) -> None:
    parsed = tasks_view.parse_done(value)
    if parsed is None:
        log.warning("task done refused user=%s value=%r", caller.user_id, value[:80])
        return
    task_id, after = parsed
    await _answer(services, caller, respond, after=after, task_id=task_id)


async def _answer(
    services: Services,
    caller: Caller,
    respond: AsyncRespond,
    *,
    after: str | None,
    task_id: str | None,
) -> None:
    """Complete `task_id` (if any), then show the page starting after `after` in place."""
    settled = None
    try:
        if task_id is not None:
            service = personal_service(services)
            settled = await service.complete(caller.team_id, caller.user_id, task_id)
        page = await _page(services, caller, after, tasks_view.MESSAGE_PAGE, settled)
    except NotLinked as exc:
        await respond(replace_original=True, text=not_linked_text(exc, YOUR_TASKS))
        return
    except ConfluenceError as exc:
        text = await _failed(services, caller, exc, "task-done" if task_id else "tasks")
        if settled is not None and settled.row is not None:  # done, but the list did not load
            text = f"{tasks_view.row_text(settled.row, datetime.now(UTC), settled)}\n{text}"
        await respond(response_type="ephemeral", replace_original=False, text=text)
        return
    await respond(replace_original=True, **tasks_view.message(page))


# -- on App Home --------------------------------------------------------------------------------


async def page_on_home(
    services: Services,
    home: AppHome,
    client: AsyncWebClient,
    caller: Caller,
    value: str,
    view: Mapping[str, Any],
) -> None:
    shown = home_blocks(view)
    try:
        page = await _page(services, caller, cursor_of(value), tasks_view.HOME_PAGE)
    except NotLinked:
        await home.publish(client, caller)  # the whole tab says why
        return
    except ConfluenceError as exc:
        text = await _failed(services, caller, exc, "tasks")
        await show_on_home(home, client, caller, view, with_note(shown, text))
        return
    section = tasks_view.home_section(page)
    await show_on_home(home, client, caller, view, splice(shown, tasks_view.BLOCK_PREFIX, section))


async def done_on_home(
    services: Services,
    home: AppHome,
    client: AsyncWebClient,
    caller: Caller,
    value: str,
    view: Mapping[str, Any],
) -> None:
    parsed = tasks_view.parse_done(value)
    if parsed is None:
        log.warning("task done refused user=%s value=%r", caller.user_id, value[:80])
        return
    task_id, _ = parsed
    shown = home_blocks(view)
    try:
        settled = await personal_service(services).complete(caller.team_id, caller.user_id, task_id)
    except NotLinked:
        await home.publish(client, caller)
        return
    except ConfluenceError as exc:
        text = await _failed(services, caller, exc, "task-done")
        await show_on_home(home, client, caller, view, with_note(shown, text))
        return
    row = tasks_view.settled_block(settled, datetime.now(UTC))
    updated = splice(shown, tasks_view.row_id(task_id), [row], exact=True)
    await show_on_home(home, client, caller, view, updated)


async def choose_on_home(
    services: Services,
    home: AppHome,
    client: AsyncWebClient,
    caller: Caller,
    values: Sequence[str],
) -> None:
    """The notification checkboxes: the ticked kinds are the whole choice (a second click of the
    same state changes nothing)."""
    kinds = [kind for kind in map(kind_of, values) if kind is not None]
    try:
        await personal_service(services).choose(caller.team_id, caller.user_id, kinds)
    except NotLinked:
        await home.publish(client, caller)  # the tab shows why, without the checkboxes
