"""link_shared → chat.unfurl previews of Confluence pages and blog posts, once per event."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import (
    ConfluenceClient,
    ConfluenceError,
    NotFound,
    PermissionDenied,
)
from bot.confluence.urls import ContentRef, parse_content_url
from bot.convert import storage_to_mrkdwn
from bot.slack.identity import IdentityRequired
from bot.slack.services import Services
from bot.slack.unfurl_view import unfurl_blocks

log = logging.getLogger("bot.slack.unfurl")
# Slack retries an event for about 6 minutes; keep ids well past that.
EVENT_TTL_SECONDS = 3600.0
MAX_LINKS = 5
# One "connect to get previews" hint per poster per hour, however many links they paste.
HINT_TTL_SECONDS = 3600.0


def register(app: AsyncApp, services: Services) -> None:
    @app.event("link_shared")
    async def on_link_shared(
        event: dict[str, Any],
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        # The poster, from Bolt's context (not a Caller: an event may come without a user, and
        # its links are then previewed through the shared identity where that is allowed).
        where = Where(context.team_id, context.user_id, context.channel_id)
        job = unfurl(services, client, event, where, body.get("event_id"))
        services.background.spawn(job, name="unfurl")


@dataclass(frozen=True)
class Where:
    team_id: str | None
    user_id: str | None  # who posted the links
    channel_id: str | None


async def unfurl(
    services: Services,
    client: AsyncWebClient,
    event: dict[str, Any],
    where: Where,
    event_id: str | None,
) -> None:
    if event_id and not await services.store.claim_event(str(event_id), EVENT_TTL_SECONDS):
        log.info("duplicate link_shared ignored event_id=%s", event_id)
        return
    team, user = where.team_id, where.user_id
    try:
        confluence = await services.confluence_for(team, user)
        site_url = await confluence.site_url()
    except IdentityRequired as exc:
        await _identity_hint(services, client, where, exc)
        return
    except ConfluenceError as exc:
        await services.on_confluence_error(exc, team, user, action="unfurl")
        return
    wanted: dict[str, ContentRef] = {}
    for link in event.get("links", [])[:MAX_LINKS]:
        url = link.get("url", "")
        ref = parse_content_url(url, site_url=site_url)
        if ref is not None:
            wanted[url] = ref
    if not wanted:
        return
    previews = await asyncio.gather(
        *(_preview(confluence, ref, url) for url, ref in wanted.items()), return_exceptions=True
    )
    unfurls: dict[str, Any] = {}
    for url, preview in zip(wanted, previews, strict=True):
        if isinstance(preview, ConfluenceError):
            # Logged, and a dead personal connection gets marked stale; the poster isn't told here
            # (an unfurl is not something they asked for).
            await services.on_confluence_error(preview, team, user, action="unfurl")
        elif isinstance(preview, BaseException):
            raise preview
        elif preview:
            unfurls[url] = {"blocks": preview}
    if not unfurls:
        return
    args: dict[str, Any] = {"unfurls": unfurls}
    if event.get("unfurl_id") and event.get("source"):
        args.update(unfurl_id=event["unfurl_id"], source=event["source"])
    else:
        args.update(channel=event["channel"], ts=event["message_ts"])
    try:
        await client.chat_unfurl(**args)
    except SlackApiError as exc:
        log.warning(
            "chat.unfurl failed channel=%s error=%s",
            event.get("channel"),
            exc.response.get("error"),
        )


async def _preview(
    confluence: ConfluenceClient, ref: ContentRef, url: str
) -> list[dict[str, Any]] | None:
    try:
        content = await confluence.content(ref, body_format="storage")
        space_name = None
        if content.space_id:
            space_name = (await confluence.spaces.get(content.space_id)).name
        author = None
        author_id = content.author_id or (content.version.author_id if content.version else None)
        if author_id:
            users = await confluence.users.bulk([author_id])
            author = users[author_id].name if author_id in users else None
    except (NotFound, PermissionDenied) as exc:
        log.info(
            "unfurl skipped: not visible kind=%s id=%s status=%s", ref.kind, ref.id, exc.status
        )
        return None
    return unfurl_blocks(
        url=url,
        title=content.title,
        kind="Page" if ref.kind == "page" else "Blog post",
        space=space_name,
        author=author,
        updated=content.version.created_at if content.version else content.created_at,
        excerpt=storage_to_mrkdwn(content.storage or "", 300),
    )


async def _identity_hint(
    services: Services, client: AsyncWebClient, where: Where, exc: IdentityRequired
) -> None:
    """The poster may not read Confluence through the app: no preview, a private hint instead."""
    user, channel = where.user_id, where.channel_id
    log.info("unfurl skipped: poster has no usable identity user=%s", user)
    if not user or not channel:
        return
    key = f"unfurl-identity-hint:{where.team_id}:{user}"
    if not await services.store.claim_once(key, HINT_TTL_SECONDS):
        return
    text = f"I didn't preview your Confluence link. {exc.user_text}"
    try:
        await client.chat_postEphemeral(channel=channel, user=user, text=text)
    except SlackApiError as exc_slack:
        log.info("unfurl hint not sent user=%s error=%s", user, exc_slack.response.get("error"))
