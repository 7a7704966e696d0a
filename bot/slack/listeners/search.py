"""Search and recent: results to the invoker only, More results paging, Share in channel."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import ConfluenceClient, ConfluenceError, search_cql
from bot.confluence.urls import ContentRef, parse_content_url
from bot.slack.after_ack import after_ack
from bot.slack.caller import Caller
from bot.slack.error_messages import missing_spaces
from bot.slack.identity import IdentityRequired
from bot.slack.router import SearchQuery
from bot.slack.search_view import (
    MORE_ACTION,
    SHARE_ACTION,
    ResultCard,
    card_from_content,
    card_from_result,
    more_state,
    more_value,
    results_message,
    shared_message,
    shared_url,
)
from bot.slack.services import Services

log = logging.getLogger("bot.slack.search")
PAGE_SIZE = 5


async def _show(
    services: Services,
    respond: AsyncRespond,
    caller: Caller,
    *,
    cql: str,
    heading: str,
    query_text: str,
    space_key: str | None,
    empty_hint: str,
    cursor: str | None = None,
    replace: bool = False,
) -> None:
    try:
        confluence = await services.confluence_for(caller.team_id, caller.user_id)
        page = await confluence.search.page(cql, limit=PAGE_SIZE, cursor=cursor)
    except (ConfluenceError, IdentityRequired) as exc:
        text = await services.on_confluence_error(
            exc, caller.team_id, caller.user_id, action="search"
        )
        await respond(response_type="ephemeral", replace_original=False, text=text)
        return
    if (
        not page.items
        and space_key
        and cursor is None
        and not await _space_exists(confluence, space_key)
    ):
        await respond(response_type="ephemeral", text=missing_spaces([space_key]))
        return
    cards = [card_from_result(r) for r in page.items]
    more = more_value(query_text, space_key, page.cursor, heading) if page.cursor else None
    payload = results_message(heading, cards, more=more, empty_hint=empty_hint)
    await respond(response_type="ephemeral", replace_original=replace, **payload)


async def _space_exists(confluence: ConfluenceClient, key: str) -> bool:
    """Whether `key` is a space this user can see (asked only when a search found nothing)."""
    try:
        return key.upper() in await confluence.spaces.by_keys([key])
    except ConfluenceError as exc:
        log.info("space lookup failed key=%s error=%s", key, exc)
        return True  # unknown: say "no results" rather than claim it does not exist


async def search(
    services: Services,
    respond: AsyncRespond,
    caller: Caller,
    *,
    query: SearchQuery,
    hint_help: bool = False,
    cursor: str | None = None,
    replace: bool = False,
) -> None:
    try:
        cql = search_cql(query.text, space_keys=[query.space_key] if query.space_key else ())
    except ValueError as exc:
        await respond(response_type="ephemeral", text=f":x: {exc}")
        return
    where = f" in {query.space_key}" if query.space_key else ""
    heading = f"Confluence results for “{query.text}”{where}"
    hint = (
        "Try fewer or broader words"
        + (f", or drop `in:{query.space_key}`" if query.space_key else "")
        + "."
    )
    if hint_help:
        hint += " Looking for a command? See `/confluence help`."
    await _show(
        services,
        respond,
        caller,
        cql=cql,
        heading=heading,
        query_text=query.text,
        space_key=query.space_key,
        empty_hint=hint,
        cursor=cursor,
        replace=replace,
    )


async def recent(
    services: Services,
    respond: AsyncRespond,
    caller: Caller,
    *,
    space_key: str | None,
    cursor: str | None = None,
    replace: bool = False,
) -> None:
    try:
        cql = search_cql(
            None, space_keys=[space_key] if space_key else (), order_by="lastmodified desc"
        )
    except ValueError as exc:
        await respond(response_type="ephemeral", text=f":x: {exc}")
        return
    heading = "Recently updated" + (f" in {space_key}" if space_key else " in Confluence")
    await _show(
        services,
        respond,
        caller,
        cql=cql,
        heading=heading,
        query_text="",
        space_key=space_key,
        empty_hint="Nothing has been updated there yet, or you can't see it.",
        cursor=cursor,
        replace=replace,
    )


def register(app: AsyncApp, services: Services) -> None:
    @app.action(MORE_ACTION)
    async def on_more(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        await ack()
        caller = Caller.of(context, body)
        state = more_state(body["actions"][0]["value"])
        if state.query:
            job = search(
                services,
                respond,
                caller,
                query=SearchQuery(state.query, state.space_key),
                cursor=state.cursor,
                replace=True,
            )
        else:
            job = recent(
                services,
                respond,
                caller,
                space_key=state.space_key,
                cursor=state.cursor,
                replace=True,
            )
        after_ack(services, caller, job, name="search-more", respond=respond)

    @app.action(SHARE_ACTION)
    async def on_share(
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        caller = Caller.of(context, body)
        url = shared_url(str(body["actions"][0].get("value") or ""))
        job = _share(services, client, respond, caller, url)
        after_ack(services, caller, job, name="search-share", respond=respond)


async def _fresh_card(confluence: ConfluenceClient, ref: ContentRef) -> ResultCard:
    """What Confluence says about the page now, read as the sharer: a Share button's value
    comes back from the client and could say anything."""
    content = await confluence.content(ref, body_format="storage")
    space = (await confluence.spaces.get(content.space_id)).name if content.space_id else ""
    return card_from_content(content, kind=ref.kind, space=space)


async def _share(
    services: Services,
    client: AsyncWebClient,
    respond: AsyncRespond,
    caller: Caller,
    url: str | None,
) -> None:
    async def say(text: str) -> None:
        await respond(response_type="ephemeral", replace_original=False, text=text)

    channel, team_id, user_id = caller.channel_id, caller.team_id, caller.user_id
    if not channel:
        await say("I can't tell which channel to share in.")
        return
    try:
        confluence = await services.confluence_for(team_id, user_id)
        site = await confluence.site_url()
        ref = parse_content_url(url, site_url=site) if url else None
        if ref is None:
            log.warning("share refused: not a page of our site user=%s", user_id)
            await say(f":warning: I can only share pages and blog posts of {site}.")
            return
        card = await _fresh_card(confluence, ref)
    except (ConfluenceError, IdentityRequired) as exc:
        await say(await services.on_confluence_error(exc, team_id, user_id, action="share"))
        return
    try:
        await client.chat_postMessage(
            channel=channel, unfurl_links=False, **shared_message(card, user_id)
        )
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("share failed channel=%s user=%s error=%s", channel, user_id, error)
        if error in {"not_in_channel", "channel_not_found"}:
            text = "I'm not in this channel, so I can't share there. Invite me with `/invite @Confluence` and try again."
        elif error == "is_archived":
            text = "This channel is archived."
        else:
            text = f"Slack refused to post the result ({error})."
        await respond(response_type="ephemeral", replace_original=False, text=text)
