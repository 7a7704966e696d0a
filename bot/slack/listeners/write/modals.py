"""Opening the write modals: the three shortcuts, `/confluence create`, and rebuilding a modal
once its space is chosen (so the parent type-ahead knows the space)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import ConfluenceError
from bot.convert import Names, collect_references, message_to_storage, storage_to_text
from bot.slack.after_ack import after_ack
from bot.slack.blocks import option
from bot.slack.caller import Caller
from bot.slack.context import CommandContext
from bot.slack.private_message import tell_user
from bot.slack.services import Services
from bot.slack.write import views
from bot.slack.write.metadata import CommentMetadata, CreateMetadata, SaveMetadata
from bot.slack.write.names import SlackDirectory
from bot.slack.write.view_state import action_value, selected_value, text_value
from bot.write.comment import linked_content, ref_value

log = logging.getLogger("bot.slack.write")
# Looking up the site (cached after the first time) must leave time to open the modal.
SITE_BUDGET_SECONDS = 1.0
# Names for the Save modal's title, before views.open; later ones retitle the open modal.
TITLE_NAMES_BUDGET_SECONDS = 1.0
# The thread's saved page, read before views.open; skipped (a new page offered) when slower.
SAVED_PAGE_BUDGET_SECONDS = 0.5

SAVE_SHORTCUT = "save_thread"
CREATE_SHORTCUT = "create_page"
COMMENT_SHORTCUT = "comment_on_page"
EXPIRED_TRIGGER = ":hourglass: Slack gave me too little time to open the form. Please try again."


async def handle_create(services: Services, ctx: CommandContext, args: str) -> None:
    """`/confluence create [title]`: the create modal, opened with the command's trigger id."""
    meta = CreateMetadata(channel_id=ctx.caller.channel_id)
    view = views.create_modal(meta, title=args.strip()[: views.TITLE_MAX])
    _, error = await _open(ctx.client, ctx.trigger_id, view)
    if error:
        await ctx.respond(response_type="ephemeral", text=error)


# Work started once Slack has the ack: (services, client, who, the request's body).
Opener = Callable[[Services, AsyncWebClient, Caller, dict[str, Any]], Coroutine[Any, Any, object]]


def register(app: AsyncApp, services: Services) -> None:
    for shortcut, opener, name in (
        (SAVE_SHORTCUT, _open_save, "save-thread-open"),
        (CREATE_SHORTCUT, _open_create, "create-page-open"),
        (COMMENT_SHORTCUT, _open_comment, "comment-open"),
    ):
        app.shortcut(shortcut)(_acked(services, opener, name))
    app.action(views.SPACE_ACTION)(_acked(services, _space_chosen, "space-chosen"))


def _acked(services: Services, opener: Opener, name: str) -> Callable[..., Awaitable[None]]:
    async def listener(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await ack()
        caller = Caller.of(context, body)
        job = opener(services, client, caller, body)
        after_ack(services, caller, job, name=name, client=client)

    return listener


async def _open(
    client: AsyncWebClient, trigger_id: str | None, view: dict[str, Any]
) -> tuple[dict[str, Any] | None, str | None]:
    """views.open: (the opened view, None), or (None, the sentence for the user)."""
    if not trigger_id:
        return None, EXPIRED_TRIGGER
    try:
        response = await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("views.open failed error=%s", error)
        if error in {"expired_trigger_id", "exchanged_trigger_id"}:
            return None, EXPIRED_TRIGGER
        return None, f":x: Slack would not open the form ({error}). Please try again."
    opened = response.get("view")
    return (opened if isinstance(opened, dict) else {}), None


async def _open_or_tell(
    client: AsyncWebClient, caller: Caller, trigger_id: str | None, view: dict[str, Any]
) -> dict[str, Any] | None:
    opened, error = await _open(client, trigger_id, view)
    if error:
        await tell_user(client, caller.user_id, caller.channel_id, error)
    return opened


async def _open_create(
    services: Services, client: AsyncWebClient, caller: Caller, body: dict[str, Any]
) -> None:
    view = views.create_modal(CreateMetadata(channel_id=caller.channel_id))
    await _open_or_tell(client, caller, body.get("trigger_id"), view)


async def _open_comment(
    services: Services, client: AsyncWebClient, caller: Caller, body: dict[str, Any]
) -> None:
    message = body.get("message") or {}
    site: str | None = None
    try:  # cached after the first call; only links to our own site are preselected
        site = await asyncio.wait_for(services.confluence.site_url(), SITE_BUDGET_SECONDS)
    except (ConfluenceError, TimeoutError) as exc:
        log.info("comment modal without a preselected page: site unknown (%s)", exc)
    found = linked_content(message, site)
    initial = option(found[1], ref_value(found[0])) if found else None
    view = views.comment_modal(
        CommentMetadata(channel_id=caller.channel_id),
        text=views.prefill_text(message),
        initial_page=initial,
    )
    await _open_or_tell(client, caller, body.get("trigger_id"), view)


def _first_line(message: dict[str, Any], names: Names) -> str:
    text = storage_to_text(message_to_storage(message, names), 2000)
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


async def _named_first_line(directory: SlackDirectory, message: dict[str, Any]) -> str:
    """The first line as the saved page shows it: people, channels and groups by name (the
    mentioned ones only: the title does not show the author)."""
    mentions = {key: value for key, value in message.items() if key != "user"}
    return _first_line(message, await directory.names_for(collect_references([mentions])))


async def _open_save(
    services: Services, client: AsyncWebClient, caller: Caller, body: dict[str, Any]
) -> None:
    message = body.get("message") or {}
    message_ts = str(body.get("message_ts") or message.get("ts") or "")
    thread_ts = str(message.get("thread_ts") or message_ts)
    is_thread = bool(message.get("thread_ts") or message.get("reply_count"))
    channel, team = caller.channel_id or "", caller.team_id or ""
    saved = None
    try:  # a local read, well inside the trigger window; skipped if the database is slow
        saved = await asyncio.wait_for(
            services.store.threads.get(team, channel, thread_ts), SAVED_PAGE_BUDGET_SECONDS
        )
    except Exception:
        log.warning("thread mapping lookup failed; offering a new page", exc_info=True)
    meta = SaveMetadata(
        channel_id=channel,
        thread_ts=thread_ts,
        message_ts=message_ts,
        page_id=saved.page_id if saved else None,
    )
    directory = SlackDirectory(client)
    named: asyncio.Future[str] | None = None
    if saved is not None:
        title = saved.title
    else:
        # Names need users.info calls; the trigger id expires 3 s after the click.
        named = asyncio.ensure_future(_named_first_line(directory, message))
        try:
            title = await asyncio.wait_for(asyncio.shield(named), TITLE_NAMES_BUDGET_SECONDS)
            named = None
        except TimeoutError:
            title = _first_line(message, Names())
    view = views.save_modal(
        meta,
        title=title or "Slack thread",
        is_thread=is_thread,
        saved_to=saved.title if saved else None,
    )
    opened = await _open_or_tell(client, caller, body.get("trigger_id"), view)
    if opened and saved is None and thread_ts != message_ts:
        await _title_from_parent(client, directory, opened, meta)
    elif opened and named is not None:
        await _retitle(client, opened, meta, await named, is_thread=is_thread)
    elif named is not None:
        named.cancel()


async def _title_from_parent(
    client: AsyncWebClient, directory: SlackDirectory, opened: dict[str, Any], meta: SaveMetadata
) -> None:
    """The shortcut was used on a reply: retitle the open modal after the thread's first
    message (fetched after views.open, so the trigger window is never at risk)."""
    try:
        response = await client.conversations_replies(
            channel=meta.channel_id, ts=meta.thread_ts, limit=1
        )
    except SlackApiError as exc:  # not in the channel yet
        log.info("title from the thread parent skipped error=%s", exc.response.get("error"))
        return
    parent = (response.get("messages") or [{}])[0]
    await _retitle(client, opened, meta, await _named_first_line(directory, parent), is_thread=True)


async def _retitle(
    client: AsyncWebClient,
    opened: dict[str, Any],
    meta: SaveMetadata,
    title: str,
    *,
    is_thread: bool,
) -> None:
    if not title:
        return
    # A new block id makes Slack show the new initial value.
    new = views.save_modal(
        meta, title=title, is_thread=is_thread, title_block=views.TITLE_BLOCK_PARENT
    )
    try:
        await client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=new)
    except SlackApiError as exc:  # hash_conflict: the user edited the modal meanwhile
        log.info("retitling the save modal skipped error=%s", exc.response.get("error"))


async def _space_chosen(
    services: Services, client: AsyncWebClient, caller: Caller, body: dict[str, Any]
) -> None:
    """Rebuild the modal so the parent type-ahead knows the space (kept in its metadata)."""
    view = body.get("view") or {}
    space = selected_value(view, views.SPACE_ACTION)
    selected = (action_value(view, views.SPACE_ACTION) or {}).get("selected_option")
    title = text_value(view, views.TITLE_ACTION)
    if view.get("callback_id") == views.SAVE_VIEW:
        saving = SaveMetadata.load(view.get("private_metadata"))
        is_thread = any(b.get("block_id") == views.INCLUDE_BLOCK for b in view.get("blocks") or [])
        new = views.save_modal(
            saving.model_copy(update={"space": space}),
            title=title,
            is_thread=is_thread,
            space_option=selected,
        )
    elif view.get("callback_id") == views.CREATE_VIEW:
        creating = CreateMetadata.load(view.get("private_metadata"))
        meta = creating.model_copy(update={"space": space})
        new = views.create_modal(meta, title=title, space_option=selected)
    else:
        return
    try:
        await client.views_update(view_id=view["id"], hash=view.get("hash"), view=new)
    except SlackApiError as exc:  # hash_conflict: the user changed the view meanwhile
        log.info("views.update after space choice failed error=%s", exc.response.get("error"))
