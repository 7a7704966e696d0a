"""Writing to Confluence from Slack: save thread, create page, comment (shortcuts, modals, slash)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import ConfluenceError
from bot.confluence.urls import parse_page_reference
from bot.convert import Names, collect_references, message_to_storage, storage_to_text
from bot.slack import oops
from bot.slack.blocks import Element, link, option, options_response
from bot.slack.context import CommandContext
from bot.slack.error_messages import short_message
from bot.slack.services import Services
from bot.slack.write import views as v
from bot.slack.write.comment import (
    comment_storage,
    foreign_link,
    linked_content,
    lookalike_link,
    parse_ref_value,
    post_comment,
    prefill_text,
    ref_value,
)
from bot.slack.write.create import CreateRequest, create_page
from bot.slack.write.names import SlackDirectory
from bot.slack.write.notify import tell_user
from bot.slack.write.pickers import page_options, space_options
from bot.slack.write.preflight import Preflight
from bot.slack.write.save import SaveRequest, save_thread
from bot.slack.write.submissions import FAILED, claim_submission, submission_key

log = logging.getLogger("bot.slack.write")
# Looking up the site (cached after the first time) must leave time to open the modal.
SITE_BUDGET_SECONDS = 1.0
# Names for the Save modal's title, before views.open; later ones retitle the open modal.
TITLE_NAMES_BUDGET_SECONDS = 1.0

SAVE_SHORTCUT = "save_thread"
CREATE_SHORTCUT = "create_page"
COMMENT_SHORTCUT = "comment_on_page"
# Options loads answer in the ack, so Confluence gets what is left of Slack's 3 s.
OPTIONS_BUDGET_SECONDS = 2.5
EXPIRED_TRIGGER = ":hourglass: Slack gave me too little time to open the form. Please try again."
COMMENT_USAGE = (
    "Usage: `/confluence comment <page URL or id> <text>` — for example "
    "`/confluence comment https://acme.atlassian.net/wiki/spaces/ENG/pages/123 Looks good!`"
)


# ---------------------------------------------------------------- slash commands


async def handle_create(services: Services, ctx: CommandContext, args: str) -> None:
    """`/confluence create [title]`: the create modal, opened with the command's trigger id."""
    view = v.create_modal(title=args.strip()[: v.TITLE_MAX], channel_id=ctx.channel_id)
    _, error = await _open(ctx.client, ctx.trigger_id, view)
    if error:
        await ctx.respond(response_type="ephemeral", text=error)


async def handle_comment(services: Services, ctx: CommandContext, args: str) -> None:
    """`/confluence comment <page URL or id> <text>`: a footer comment, or usage (nothing created)."""
    target, _, text = args.strip().partition(" ")
    lookalike = lookalike_link(target)
    if lookalike is not None:
        await ctx.respond(response_type="ephemeral", text=lookalike)
        return
    ref = parse_page_reference(target) if target else None
    if ref is None or not text.strip():
        await ctx.respond(response_type="ephemeral", text=COMMENT_USAGE)
        return
    try:
        confluence = await services.confluence_for(ctx.team_id, ctx.user_id)
        foreign = foreign_link(target, await confluence.site_url())
        if foreign is not None:
            await ctx.respond(response_type="ephemeral", text=foreign)
            return
        attribution = await services.attribution_for(
            ctx.team_id, ctx.user_id, ctx.user_name or ctx.user_id
        )
        storage = await comment_storage(
            ctx.client, text.strip(), attribution=attribution, slack_escaped=True
        )
        page, _ = await post_comment(confluence, ref, storage)
    except ConfluenceError as exc:
        sentence = await services.on_confluence_error(
            exc, ctx.team_id, ctx.user_id, action="comment"
        )
        await ctx.respond(response_type="ephemeral", text=sentence)
        return
    await ctx.respond(
        response_type="ephemeral",
        text=f":speech_balloon: Comment added to {link(page.web_url, page.title)}.",
    )


# ---------------------------------------------------------------- registration


def register(app: AsyncApp, services: Services) -> None:
    """Shortcuts (save_thread, comment_on_page, create_page), their views and options loads."""

    def spawn(
        job: Coroutine[Any, Any, object], name: str, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """Background work for one user's action; they hear about unexpected failures."""
        team, user, _ = _who(body)
        channel = (body.get("channel") or {}).get("id")
        services.tasks.spawn(
            job,
            name=name,
            about=f"user={user} team={team} channel={channel}",
            on_error=oops.privately(client, user, channel),
        )

    @app.shortcut(SAVE_SHORTCUT)
    async def on_save(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        spawn(_open_save(services, client, body), "save-thread-open", body, client)

    @app.shortcut(CREATE_SHORTCUT)
    async def on_create(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        channel = (body.get("channel") or {}).get("id")
        view = v.create_modal(channel_id=channel)
        spawn(_open_or_tell(client, body, view, channel), "create-page-open", body, client)

    @app.shortcut(COMMENT_SHORTCUT)
    async def on_comment(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        spawn(_open_comment(services, client, body), "comment-open", body, client)

    @app.action(v.SPACE_ACTION)
    async def on_space_chosen(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        spawn(_space_chosen(client, body), "space-chosen", body, client)

    @app.options(v.SPACE_ACTION)
    async def on_space_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        async def load(confluence: Any) -> list[Element]:
            return await space_options(confluence, str(body.get("value") or ""))

        await ack(**await _options(services, body, load))

    @app.options(v.PARENT_ACTION)
    async def on_parent_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        space = _chosen_space(body.get("view") or {})
        if space is None:
            await ack(options=[])
            return

        async def load(confluence: Any) -> list[Element]:
            return await page_options(confluence, str(body.get("value") or ""), space_key=space.key)

        await ack(**await _options(services, body, load))

    @app.options(v.PAGE_ACTION)
    async def on_page_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        async def load(confluence: Any) -> list[Element]:
            return await page_options(confluence, str(body.get("value") or ""))

        await ack(**await _options(services, body, load))

    @app.view(v.SAVE_VIEW)
    async def on_save_submit(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await _submit_save(services, ack, body, view, client)

    @app.view(v.CREATE_VIEW)
    async def on_create_submit(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await _submit_create(services, ack, body, view, client)

    @app.view(v.COMMENT_VIEW)
    async def on_comment_submit(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await _submit_comment(services, ack, body, view, client)


# ---------------------------------------------------------------- opening modals


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
    client: AsyncWebClient, body: dict[str, Any], view: dict[str, Any], channel: str | None
) -> dict[str, Any] | None:
    opened, error = await _open(client, body.get("trigger_id"), view)
    if error:
        await tell_user(client, body["user"]["id"], channel, error)
    return opened


async def _open_comment(services: Services, client: AsyncWebClient, body: dict[str, Any]) -> None:
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id")
    site: str | None = None
    try:  # cached after the first call; only links to our own site are preselected
        site = await asyncio.wait_for(services.confluence.site_url(), SITE_BUDGET_SECONDS)
    except (ConfluenceError, TimeoutError) as exc:
        log.info("comment modal without a preselected page: site unknown (%s)", exc)
    found = linked_content(message, site)
    initial = option(found[1], ref_value(found[0])) if found else None
    view = v.comment_modal(text=prefill_text(message), channel_id=channel, initial_page=initial)
    await _open_or_tell(client, body, view, channel)


def _first_line(message: dict[str, Any], names: Names) -> str:
    text = storage_to_text(message_to_storage(message, names), 2000)
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


async def _named_first_line(directory: SlackDirectory, message: dict[str, Any]) -> str:
    """The first line as the saved page shows it: people, channels and groups by name (the
    mentioned ones only: the title does not show the author)."""
    mentions = {key: value for key, value in message.items() if key != "user"}
    return _first_line(message, await directory.names_for(collect_references([mentions])))


async def _open_save(services: Services, client: AsyncWebClient, body: dict[str, Any]) -> None:
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or ""
    team = (body.get("team") or {}).get("id") or ""
    message_ts = str(body.get("message_ts") or message.get("ts") or "")
    thread_ts = str(message.get("thread_ts") or message_ts)
    is_thread = bool(message.get("thread_ts") or message.get("reply_count"))
    saved = None
    try:  # a local read, well inside the trigger window; skipped if the database is slow
        saved = await asyncio.wait_for(services.store.threads.get(team, channel, thread_ts), 0.5)
    except Exception:
        log.warning("thread mapping lookup failed; offering a new page", exc_info=True)
    meta = v.SaveMeta(channel, thread_ts, message_ts, page_id=saved.page_id if saved else None)
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
    view = v.save_modal(
        meta,
        title=title or "Slack thread",
        is_thread=is_thread,
        saved_to=saved.title if saved else None,
    )
    opened = await _open_or_tell(client, body, view, channel)
    if opened and saved is None and thread_ts != message_ts:
        await _title_from_parent(client, directory, opened, meta)
    elif opened and named is not None:
        await _retitle(client, opened, meta, await named, is_thread=is_thread)
    elif named is not None:
        named.cancel()


async def _title_from_parent(
    client: AsyncWebClient, directory: SlackDirectory, opened: dict[str, Any], meta: v.SaveMeta
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
    client: AsyncWebClient, opened: dict[str, Any], meta: v.SaveMeta, title: str, *, is_thread: bool
) -> None:
    if not title:
        return
    # A new block id makes Slack show the new initial value.
    new = v.save_modal(meta, title=title, is_thread=is_thread, title_block=v.TITLE_BLOCK_PARENT)
    try:
        await client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=new)
    except SlackApiError as exc:  # hash_conflict: the user edited the modal meanwhile
        log.info("retitling the save modal skipped error=%s", exc.response.get("error"))


async def _space_chosen(client: AsyncWebClient, body: dict[str, Any]) -> None:
    """Rebuild the modal so the parent type-ahead knows the space (kept in private_metadata)."""
    view = body.get("view") or {}
    space_value = v.selected_value(view, v.SPACE_ACTION)
    selected = (v.action_value(view, v.SPACE_ACTION) or {}).get("selected_option")
    title = v.text_value(view, v.TITLE_ACTION)
    if view.get("callback_id") == v.SAVE_VIEW:
        meta = v.SaveMeta.load(view.get("private_metadata") or "{}")
        meta = v.SaveMeta(
            meta.channel_id, meta.thread_ts, meta.message_ts, space_value, meta.page_id
        )
        is_thread = any(b.get("block_id") == v.INCLUDE_BLOCK for b in view.get("blocks") or [])
        new = v.save_modal(meta, title=title, is_thread=is_thread, space_option=selected)
    elif view.get("callback_id") == v.CREATE_VIEW:
        channel = json.loads(view.get("private_metadata") or "{}").get("c")
        new = v.create_modal(
            title=title, channel_id=channel, space=space_value, space_option=selected
        )
    else:
        return
    try:
        await client.views_update(view_id=view["id"], hash=view.get("hash"), view=new)
    except SlackApiError as exc:  # hash_conflict: the user changed the view meanwhile
        log.info("views.update after space choice failed error=%s", exc.response.get("error"))


# ---------------------------------------------------------------- options loads


def _chosen_space(view: dict[str, Any]) -> v.SpaceChoice | None:
    """From the live view state, else from private_metadata (set when the space was picked)."""
    chosen = v.SpaceChoice.parse(v.selected_value(view, v.SPACE_ACTION))
    if chosen is None:
        try:
            chosen = v.SpaceChoice.parse(json.loads(view.get("private_metadata") or "{}").get("s"))
        except (ValueError, AttributeError):
            return None
    return chosen


async def _options(
    services: Services, body: dict[str, Any], load: Callable[[Any], Awaitable[list[Element]]]
) -> dict[str, Any]:
    team = (body.get("team") or {}).get("id")
    user = (body.get("user") or {}).get("id")
    try:
        confluence = await services.confluence_for(team, user)
        options = await asyncio.wait_for(load(confluence), OPTIONS_BUDGET_SECONDS)
    except ConfluenceError as exc:
        await services.on_confluence_error(exc, team, user, action="options")
        # An options response cannot carry a message: the one option says what is wrong
        # (choosing it is refused on submit, like no choice).
        options = [option(short_message(exc), OPTION_PROBLEM)]
    except TimeoutError:
        log.warning(
            "options load timed out action=%s user=%s team=%s", body.get("action_id"), user, team
        )
        options = [option("⚠ Confluence is slow to answer — type again", OPTION_PROBLEM)]
    return options_response(options)


OPTION_PROBLEM = "problem"


# ---------------------------------------------------------------- submissions


def _who(body: dict[str, Any]) -> tuple[str | None, str, str]:
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id")
    return team, str(user["id"]), str(user.get("name") or user.get("username") or user["id"])


async def _already(
    services: Services,
    client: AsyncWebClient,
    user: str,
    channel: str | None,
    page_id: str,
    team: str | None,
) -> None:
    """A repeated submission: point at what the first one made."""
    try:
        confluence = await services.confluence_for(team, user)
        page = await confluence.pages.get(page_id)
    except ConfluenceError as exc:
        text = await services.on_confluence_error(exc, team, user, action="repeat_submission")
        await tell_user(client, user, channel, text)
        return
    await tell_user(client, user, channel, f"Already done: {link(page.web_url, page.title)}.")


async def _run(
    services: Services,
    ack: AsyncAck,
    client: AsyncWebClient,
    key: str,
    who: tuple[str | None, str, str],
    channel: str | None,
    job: Callable[[str, Preflight], Coroutine[Any, Any, object]],
    name: str,
    view: dict[str, Any],
) -> None:
    """Claim the submission, start the job, ack with its early errors (or close the modal)."""
    team, user, _ = who
    claim = await claim_submission(services.store, key)
    if claim.state != "run":
        log.info("repeated submission ignored key=%s state=%s", key, claim.state)
        await ack()
        if claim.state == "done" and claim.result and claim.result != FAILED:
            services.tasks.spawn(
                _already(services, client, user, channel, claim.result, team),
                name=f"{name}-repeat",
                about=f"user={user} team={team} channel={channel}",
                on_error=oops.privately(client, user, channel),
            )
        return
    preflight = Preflight()

    async def failed() -> None:
        # Free the submission for a retry, then say so (the modal may have closed already).
        await services.store.remember_result(claim.key, FAILED)
        await oops.privately(client, user, channel)()

    services.tasks.spawn(
        job(claim.key, preflight),
        name=name,
        about=f"user={user} team={team} channel={channel}",
        on_error=failed,
    )
    errors = await preflight.outcome()
    if errors:
        await ack(response_action="errors", errors=_placed(view, errors))
    else:
        await ack()


_ACTION_OF = {
    v.TITLE_BLOCK: v.TITLE_ACTION,
    v.SPACE_BLOCK: v.SPACE_ACTION,
    v.PAGE_BLOCK: v.PAGE_ACTION,
    v.PARENT_BLOCK: v.PARENT_ACTION,
}
NO_PARENT = "Choose a parent page from the list, or clear it."


def _placed(view: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """Errors keyed by the block ids this view really has (some vary, e.g. the title's)."""
    placed: dict[str, str] = {}
    for block, text in errors.items():
        action = _ACTION_OF.get(block)
        placed[v.block_id_of(view, action, block) if action else block] = text
    return placed


async def _submit_save(
    services: Services,
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
) -> None:
    meta = v.SaveMeta.load(view.get("private_metadata") or "{}")
    title = v.title_value(view)
    space = v.SpaceChoice.parse(v.selected_value(view, v.SPACE_ACTION)) or v.SpaceChoice.parse(
        meta.space
    )
    if meta.page_id is None and space is None:
        await ack(response_action="errors", errors={v.SPACE_BLOCK: "Choose a space."})
        return
    if not title:
        await ack(response_action="errors", errors={v.TITLE_BLOCK: "Give the page a title."})
        return
    include = v.action_value(view, v.INCLUDE_ACTION) is None or v.checked(
        view, v.INCLUDE_ACTION, v.INCLUDE_VALUE
    )
    parent = v.selected_value(view, v.PARENT_ACTION)
    if parent is not None and not parent.isdigit():
        await ack(response_action="errors", errors=_placed(view, {v.PARENT_BLOCK: NO_PARENT}))
        return
    who = _who(body)
    key = submission_key(
        "save", str(view.get("id")), [space.value if space else None, parent, title, include]
    )

    async def job(run_key: str, preflight: Preflight) -> object:
        req = SaveRequest(
            team_id=who[0] or "",
            user_id=who[1],
            user_name=who[2],
            channel_id=meta.channel_id,
            thread_ts=meta.thread_ts,
            message_ts=meta.message_ts,
            title=title,
            space=space,
            parent_id=parent,
            include_replies=include,
            idempotency_key=run_key,
        )
        return await save_thread(services, client, req, preflight)

    await _run(services, ack, client, key, who, meta.channel_id, job, "save-thread", view)


async def _submit_create(
    services: Services,
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
) -> None:
    data = json.loads(view.get("private_metadata") or "{}")
    space = v.SpaceChoice.parse(v.selected_value(view, v.SPACE_ACTION)) or v.SpaceChoice.parse(
        data.get("s")
    )
    title = v.title_value(view)
    if space is None:
        await ack(response_action="errors", errors={v.SPACE_BLOCK: "Choose a space."})
        return
    if not title:
        await ack(response_action="errors", errors={v.TITLE_BLOCK: "Give the page a title."})
        return
    parent = v.selected_value(view, v.PARENT_ACTION)
    if parent is not None and not parent.isdigit():
        await ack(response_action="errors", errors=_placed(view, {v.PARENT_BLOCK: NO_PARENT}))
        return
    text = v.text_value(view, v.BODY_ACTION)
    who = _who(body)
    channel = data.get("c")
    key = submission_key("create", str(view.get("id")), [space.value, parent, title, text])

    async def job(run_key: str, preflight: Preflight) -> object:
        req = CreateRequest(who[0], who[1], who[2], channel, space, parent, title, text, run_key)
        return await create_page(services, client, req, preflight)

    await _run(services, ack, client, key, who, channel, job, "create-page", view)


async def _submit_comment(
    services: Services,
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
) -> None:
    data = json.loads(view.get("private_metadata") or "{}")
    channel = data.get("c")
    page_id = v.selected_value(view, v.PAGE_ACTION)
    text = v.text_value(view, v.TEXT_ACTION)
    ref = parse_ref_value(page_id) if page_id else None
    if ref is None:
        await ack(response_action="errors", errors={v.PAGE_BLOCK: "Choose a page."})
        return
    if not text:
        await ack(response_action="errors", errors={v.TEXT_BLOCK: "Write a comment."})
        return
    who = _who(body)
    key = submission_key("comment", str(view.get("id")), [page_id, text])

    async def job(run_key: str, preflight: Preflight) -> object:
        team, user, name = who
        try:
            confluence = await services.confluence_for(team, user)
            attribution = await services.attribution_for(team, user, name)
            storage = await comment_storage(
                client, text, attribution=attribution, slack_escaped=False
            )
            page, _ = await post_comment(confluence, ref, storage)
        except ConfluenceError as exc:
            await services.store.remember_result(run_key, FAILED)
            sentence = await services.on_confluence_error(exc, team, user, action="comment")
            if not preflight.failed({v.PAGE_BLOCK: sentence}):
                await tell_user(client, user, channel, sentence)
            return None
        preflight.passed()
        await services.store.remember_result(run_key, page.id)
        await tell_user(
            client,
            user,
            channel,
            f":speech_balloon: Comment added to {link(page.web_url, page.title)}.",
        )
        return page

    await _run(services, ack, client, key, who, channel, job, "comment", view)
