"""`/confluence tasks` and `/confluence me [on|off [kinds]]`: private answers."""

from __future__ import annotations

from bot.confluence import ConfluenceError
from bot.personal import NotLinked, ParseError, ShowPreferences, parse_me
from bot.slack.context import CommandContext
from bot.slack.personal import preferences_view, tasks_view
from bot.slack.personal.answers import not_linked_text
from bot.slack.personal.build import personal_service
from bot.slack.services import Services


async def handle_tasks(services: Services, ctx: CommandContext, args: str) -> None:
    caller = ctx.caller
    try:
        page = await personal_service(services).open_tasks(
            caller.team_id, caller.user_id, size=tasks_view.MESSAGE_PAGE
        )
    except NotLinked as exc:
        await ctx.respond(response_type="ephemeral", text=not_linked_text(exc, "Your tasks"))
        return
    except ConfluenceError as exc:
        text = await services.on_confluence_error(
            exc, caller.team_id, caller.user_id, action="tasks"
        )
        await ctx.respond(response_type="ephemeral", text=text)
        return
    await ctx.respond(response_type="ephemeral", **tasks_view.message(page))


async def handle_me(services: Services, ctx: CommandContext, args: str) -> None:
    caller = ctx.caller
    try:
        command = parse_me(args)
    except ParseError as exc:
        await ctx.respond(response_type="ephemeral", text=f":warning: {exc}")
        return
    service = personal_service(services)
    try:
        if isinstance(command, ShowPreferences):
            text = preferences_view.me_text(
                await service.preferences(caller.team_id, caller.user_id)
            )
        else:
            chosen = await service.switch(caller.team_id, caller.user_id, command.kinds, command.on)
            text = preferences_view.me_text(chosen, command)
    except NotLinked as exc:
        text = not_linked_text(exc, "Personal notifications")
    await ctx.respond(response_type="ephemeral", text=text)
