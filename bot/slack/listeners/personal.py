"""Your tasks and your notification choices: App Home's sections and their buttons (the
subcommands are in bot.slack.personal.commands)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.after_ack import after_ack
from bot.slack.caller import Caller
from bot.slack.home import AppHome, Slot
from bot.slack.personal import actions, tasks_view
from bot.slack.personal.home import preferences_section, tasks_section
from bot.slack.personal.preferences_view import PREFERENCES_ACTION
from bot.slack.services import Services

Listener = Callable[..., Awaitable[None]]


def register(app: AsyncApp, services: Services, home: AppHome) -> None:
    """After the identity section (same slot): the user's tasks, then their notifications."""

    async def tasks(caller: Caller) -> list[dict[str, Any]]:
        return await tasks_section(services, caller)

    async def preferences(caller: Caller) -> list[dict[str, Any]]:
        return await preferences_section(services, caller)

    home.add(Slot.ACCOUNT, tasks)
    home.add(Slot.ACCOUNT, preferences)
    for action_id, in_message, on_home, name in (
        (tasks_view.TASK_DONE_ACTION, actions.done_in_message, actions.done_on_home, "task-done"),
        (tasks_view.TASKS_NEXT_ACTION, actions.page_in_message, actions.page_on_home, "tasks-page"),
        (
            tasks_view.TASKS_FIRST_ACTION,
            actions.page_in_message,
            actions.page_on_home,
            "tasks-page",
        ),
    ):
        app.action(action_id)(_task_button(services, home, in_message, on_home, name))

    @app.action(PREFERENCES_ACTION)
    async def on_preferences(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await ack()
        caller = Caller.of(context, body).at(None)  # App Home: no channel
        selected = body["actions"][0].get("selected_options") or []
        values = [str(option.get("value")) for option in selected if isinstance(option, dict)]
        job = actions.choose_on_home(services, home, client, caller, values)
        after_ack(services, caller, job, name="preferences", client=client)


def _task_button(
    services: Services,
    home: AppHome,
    in_message: Callable[..., Coroutine[Any, Any, None]],
    on_home: Callable[..., Coroutine[Any, Any, None]],
    name: str,
) -> Listener:
    async def listener(
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        caller = Caller.of(context, body)
        value = str(body["actions"][0].get("value") or "")
        if context.response_url:  # a button on the answer to /confluence tasks
            job = in_message(services, caller, value, respond)
            after_ack(services, caller, job, name=name, respond=respond)
            return
        caller = caller.at(None)  # App Home
        view = body.get("view") if isinstance(body.get("view"), dict) else {}
        job = on_home(services, home, client, caller, value, view)
        after_ack(services, caller, job, name=name, client=client)

    return listener
