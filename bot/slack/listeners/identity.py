"""`/confluence connect|disconnect|whoami`, the "Done" button and the identity part of App Home."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import ConfluenceError
from bot.slack import blocks, connect_flow, identity_view
from bot.slack.after_ack import after_ack
from bot.slack.caller import Caller
from bot.slack.context import CommandContext
from bot.slack.home import AppHome, Slot
from bot.slack.identity import store_team
from bot.slack.services import Services

log = logging.getLogger("bot.slack.identity")

# Where an identity action answers: the ephemeral message it came from, or the App Home.
Reply = Callable[[dict[str, Any], bool], Awaitable[None]]
# A button's work once Slack has the ack: (services, who, the button's value, where to answer).
ButtonJob = Callable[[Services, Caller, str | None, Reply], Coroutine[Any, Any, None]]
OUTDATED = "That sign-in link is no longer current. Run `/confluence connect` to start again."


async def _site_url(services: Services) -> str | None:
    try:
        return await services.confluence.site_url()
    except ConfluenceError as exc:
        log.warning("site unknown error=%s", exc)
        return None


async def handle_connect(services: Services, ctx: CommandContext, args: str) -> None:
    if services.confluence.is_direct:
        text = identity_view.direct_mode_text(services.settings.confluence_email)
        await ctx.respond(response_type="ephemeral", text=text)
        return
    try:
        started = await connect_flow.start(services, ctx.caller.team_id, ctx.caller.user_id)
    except ConfluenceError as exc:
        text = await services.on_confluence_error(
            exc, ctx.caller.team_id, ctx.caller.user_id, action="connect"
        )
        await ctx.respond(response_type="ephemeral", text=text)
        return
    if isinstance(started, connect_flow.Connected):
        who = identity_view.who(started.link)
        text = (
            f"You're already connected: you act in Confluence as {who}. "
            "To use another account, run `/confluence disconnect` first."
        )
        await ctx.respond(response_type="ephemeral", text=text)
        return
    message = identity_view.authorise_message(
        started.connection_id, started.url, reused=started.reused
    )
    await ctx.respond(response_type="ephemeral", **message)


async def handle_disconnect(services: Services, ctx: CommandContext, args: str) -> None:
    text, _ = await _disconnect(services, ctx.caller.team_id, ctx.caller.user_id)
    await ctx.respond(response_type="ephemeral", text=text)


async def _disconnect(services: Services, team_id: str | None, user_id: str) -> tuple[str, bool]:
    """What to tell the user, and whether it went as asked (False: say so even on App Home)."""
    if services.confluence.is_direct:
        return identity_view.direct_mode_text(services.settings.confluence_email), False
    try:
        removed = await connect_flow.disconnect(services, team_id, user_id)
    except ConfluenceError as exc:
        text = await services.on_confluence_error(exc, team_id, user_id, action="disconnect")
        return f"I couldn't remove your connection at Maton, so nothing changed. {text}", False
    if removed is None:
        return "You have no connected Confluence account.", True
    after = (
        "You'll need to connect again to use Confluence from Slack."
        if services.settings.confluence_user_auth == "required"
        else "From now on you act through the app's shared connection."
    )
    return (
        f":wave: Disconnected: the connection to {identity_view.who(removed)} is deleted, and "
        "so are your personal notification choices and the channel notifications you set up "
        f"(`/confluence notify subscribe` sets them up again). {after}",
        True,
    )


async def handle_whoami(services: Services, ctx: CommandContext, args: str) -> None:
    site = identity_view.site_label(await _site_url(services))
    if services.confluence.is_direct:
        email = blocks.mrkdwn_escape(
            services.settings.confluence_email or "the API token's account"
        )
        text = (
            f"You act in Confluence on {site} as the app's account ({email}), "
            "like everyone here (direct mode: one identity)."
        )
        await ctx.respond(response_type="ephemeral", text=text)
        return
    link = await services.store.connections.get(store_team(ctx.caller.team_id), ctx.caller.user_id)
    if link is not None:
        link = await connect_flow.recheck(services, ctx.caller.team_id, ctx.caller.user_id, link)
    required = services.settings.confluence_user_auth == "required"
    if link is not None and link.status == "active":
        who = identity_view.who(link)
        text = f"You act in Confluence on {site} as {who}, through your own connection."
    elif link is not None and link.status == "stale":
        text = (
            ":warning: Your own Confluence connection stopped working; I won't act as anyone "
            f"else for you. Run `/confluence connect` to reconnect (site: {site})."
        )
    elif required:
        pending = " You started connecting but haven't finished." if link is not None else ""
        text = (
            f"You are not connected to Confluence, and this workspace requires it.{pending} "
            f"Run `/confluence connect` to act on {site} as yourself."
        )
    else:
        shared = await _shared_name(services)
        pending = (
            " You started connecting but haven't finished: run `/confluence connect`."
            if link is not None
            else " Run `/confluence connect` to act as yourself."
        )
        text = (
            f"You act in Confluence on {site} through the app's shared connection{shared}; "
            f"what you write is marked “Posted from Slack by” you.{pending}"
        )
    await ctx.respond(response_type="ephemeral", text=text)


async def _shared_name(services: Services) -> str:
    try:
        me = await services.confluence.users.current()
    except ConfluenceError as exc:
        log.warning("shared identity unknown error=%s", exc)
        return ""
    return f" ({blocks.mrkdwn_escape(me.name)})"


async def home_blocks(
    services: Services, team_id: str | None, user_id: str
) -> list[dict[str, Any]]:
    """App Home section: which Confluence identity this user acts as, with Connect/Disconnect."""
    direct = services.confluence.is_direct
    link = None if direct else await services.store.connections.get(store_team(team_id), user_id)
    url = None
    if link is not None and link.status == "pending":
        try:
            url = (await services.confluence.connections.get(link.connection_id)).url
        except ConfluenceError as exc:
            log.warning("home: pending connection unknown user=%s error=%s", user_id, exc)
    return identity_view.home_blocks(
        direct=direct,
        required=services.settings.confluence_user_auth == "required",
        link=link,
        url=url,
        direct_email=services.settings.confluence_email,
    )


async def _check(services: Services, caller: Caller, value: str | None, reply: Reply) -> None:
    team_id, user_id = caller.team_id, caller.user_id
    try:
        result = await connect_flow.check(services, team_id, user_id, value or None)
    except ConfluenceError as exc:
        text = await services.on_confluence_error(exc, team_id, user_id, action="connect-check")
        await reply(blocks.message(text), True)
        return
    if isinstance(result, connect_flow.Connected):
        site = await _site_url(services)
        await reply(blocks.message(identity_view.connected_text(result.link, site)), False)
    elif isinstance(result, connect_flow.NotYet):
        message = identity_view.authorise_message(
            result.connection_id, result.url, note=identity_view.NOT_YET_NOTE
        )
        await reply(message, True)
    else:
        await reply(blocks.message(OUTDATED), True)


async def _home_connect(
    services: Services, caller: Caller, value: str | None, reply: Reply
) -> None:
    team_id, user_id = caller.team_id, caller.user_id
    if services.confluence.is_direct:
        await reply(
            blocks.message(identity_view.direct_mode_text(services.settings.confluence_email)), True
        )
        return
    try:
        started = await connect_flow.start(services, team_id, user_id)
    except ConfluenceError as exc:
        text = await services.on_confluence_error(exc, team_id, user_id, action="connect")
        await reply(blocks.message(text), True)
        return
    if isinstance(started, connect_flow.Connected):
        await reply(blocks.message(identity_view.connected_text(started.link, None)), False)
    else:  # on App Home the refreshed tab shows the same link and button
        await reply(identity_view.authorise_message(started.connection_id, started.url), False)


async def _home_disconnect(
    services: Services, caller: Caller, value: str | None, reply: Reply
) -> None:
    text, done = await _disconnect(services, caller.team_id, caller.user_id)
    await reply(blocks.message(text), not done)


def register(app: AsyncApp, services: Services, home: AppHome) -> None:
    """The "Done — check my connection" button, and the App Home section with its
    Connect/Disconnect buttons."""

    async def section(caller: Caller) -> list[dict[str, Any]]:
        return await home_blocks(services, caller.team_id, caller.user_id)

    home.add(Slot.ACCOUNT, section)

    @app.action(identity_view.OPEN_LINK_ACTION)
    async def on_open_link(ack: AsyncAck) -> None:
        await ack()  # a URL button: Slack opens the link, we only acknowledge

    for action, job, name in (
        (identity_view.CHECK_ACTION, _check, "identity-check"),
        (identity_view.CONNECT_ACTION, _home_connect, "identity-connect"),
        (identity_view.DISCONNECT_ACTION, _home_disconnect, "identity-disconnect"),
    ):
        app.action(action)(_button(services, home, job, name))


def _button(
    services: Services, home: AppHome, job: ButtonJob, name: str
) -> Callable[..., Awaitable[None]]:
    async def listener(
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        caller = _private(Caller.of(context, body))
        value = body["actions"][0].get("value")
        reply = _reply_for(home, caller, context, respond, client)
        after_ack(services, caller, job(services, caller, value, reply), name=name, client=client)

    return listener


def _private(caller: Caller) -> Caller:
    # Identity answers are about the user's own account: never an ephemeral in a channel, a DM.
    return caller.at(None)


def _reply_for(
    home: AppHome,
    caller: Caller,
    context: AsyncBoltContext,
    respond: AsyncRespond,
    client: AsyncWebClient,
) -> Reply:
    """Answer in the message the button was on; on App Home, republish the tab instead."""
    if context.response_url:

        async def to_message(message: dict[str, Any], notice: bool) -> None:
            await respond(response_type="ephemeral", replace_original=True, **message)

        return to_message

    async def to_home(message: dict[str, Any], notice: bool) -> None:
        try:
            if notice:
                await client.chat_postMessage(channel=caller.user_id, **message)
            await home.publish(client, caller)
        except SlackApiError as exc:
            error = exc.response.get("error")
            log.warning("home answer failed user=%s error=%s", caller.user_id, error)

    return to_home
