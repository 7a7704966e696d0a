"""Save a Slack thread as a Confluence page, or update the page it was saved to before."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import BadRequest, Conflict, ConfluenceClient, ConfluenceError, NotFound, Page
from bot.convert import FileOutcome, ThreadContext, collect_references, thread_to_storage
from bot.convert.message import is_visible
from bot.slack.blocks import link
from bot.slack.services import Services
from bot.slack.write.files import FileSkipped, SlackFile, download_all, files_in
from bot.slack.write.names import SlackDirectory
from bot.slack.write.notify import tell_user
from bot.slack.write.preflight import Preflight
from bot.slack.write.submissions import FAILED
from bot.slack.write.thread_fetch import ThreadUnavailable, fetch_thread
from bot.slack.write.views import TITLE_BLOCK, SpaceChoice

log = logging.getLogger("bot.slack.save")
PROPERTY_KEY = "slack-thread"
# Held while one save of a thread runs; a process that dies mid-save blocks re-saving that
# thread for at most this long.
THREAD_LOCK_SECONDS = 15 * 60.0
SAVING_NOW = (
    ":hourglass: This thread is being saved to Confluence right now. Try again in a minute: "
    "saving it again then updates that page."
)
DUPLICATE_TITLE = "A page with this title already exists in that space. Choose another title."


@dataclass(frozen=True)
class SaveRequest:
    team_id: str
    user_id: str
    user_name: str
    channel_id: str
    thread_ts: str
    message_ts: str
    title: str
    space: SpaceChoice | None
    parent_id: str | None
    include_replies: bool
    idempotency_key: str

    @property
    def property_value(self) -> dict[str, str]:
        return {"team": self.team_id, "channel": self.channel_id, "thread_ts": self.thread_ts}


@dataclass
class SaveResult:
    page: Page
    created: bool
    skipped: list[str]  # "name (reason)" for files that are not on the page


class DuplicateTitle(Exception):
    pass


class NoSpace(Exception):
    pass


def is_duplicate_title(exc: ConfluenceError) -> bool:
    # Confluence answers 400 (sometimes 409) with "already exists" for a taken title.
    return isinstance(exc, BadRequest | Conflict) and "already exists" in str(exc).lower()


async def save_thread(
    services: Services, client: AsyncWebClient, req: SaveRequest, preflight: Preflight
) -> SaveResult | None:
    """The whole save; reports to the user itself (inline via `preflight` when still possible).

    One save per thread at a time, across processes: two people saving the same thread from
    two modals at once would otherwise both find no page and create two.
    """
    lock = f"save-thread:{req.team_id}:{req.channel_id}:{req.thread_ts}"
    if not await services.store.claim_once(lock, THREAD_LOCK_SECONDS):
        log.info("thread is being saved already channel=%s ts=%s", req.channel_id, req.thread_ts)
        await services.store.remember_result(req.idempotency_key, FAILED)
        await _fail(client, req, preflight, SAVING_NOW)
        return None
    try:
        return await _save_thread(services, client, req, preflight)
    finally:
        try:
            await services.store.release(lock)
        except Exception:  # the lock then expires on its own
            log.exception(
                "could not release the thread lock; it expires in %ss", THREAD_LOCK_SECONDS
            )


async def _save_thread(
    services: Services, client: AsyncWebClient, req: SaveRequest, preflight: Preflight
) -> SaveResult | None:
    try:
        confluence = await services.confluence_for(req.team_id, req.user_id)
        existing, space_id = await _find_target(services, confluence, req)
    except (DuplicateTitle, NoSpace, ConfluenceError) as exc:
        await services.store.remember_result(req.idempotency_key, FAILED)
        await _fail(client, req, preflight, await _sentence(services, req, exc))
        return None
    preflight.passed()
    try:
        result = await _write(services, client, confluence, req, existing, space_id)
    except (ThreadUnavailable, DuplicateTitle, ConfluenceError) as exc:
        await services.store.remember_result(req.idempotency_key, FAILED)
        await tell_user(client, req.user_id, req.channel_id, await _sentence(services, req, exc))
        return None
    await services.store.remember_result(req.idempotency_key, result.page.id)
    await _announce(client, req, result)
    return result


async def _sentence(services: Services, req: SaveRequest, exc: Exception) -> str:
    if isinstance(exc, ConfluenceError):
        return await services.on_confluence_error(
            exc, req.team_id, req.user_id, action="save_thread"
        )
    if isinstance(exc, DuplicateTitle):
        return DUPLICATE_TITLE
    if isinstance(exc, NoSpace):
        return "Choose a space to save the page in."
    return f":warning: {exc}"


async def _fail(client: AsyncWebClient, req: SaveRequest, preflight: Preflight, text: str) -> None:
    if not preflight.failed({TITLE_BLOCK: text}):
        await tell_user(client, req.user_id, req.channel_id, text)


async def _find_target(
    services: Services, confluence: ConfluenceClient, req: SaveRequest
) -> tuple[Page | None, str]:
    """The page this thread was saved to (store first, then title + content property), and the
    space to create in otherwise. A page of that title that is not ours raises DuplicateTitle."""
    mapping = await services.store.threads.get(req.team_id, req.channel_id, req.thread_ts)
    space_id = req.space.id if req.space else (mapping.space_id if mapping else None)
    if mapping is not None:
        try:
            return await confluence.pages.get(mapping.page_id), mapping.space_id
        except NotFound:
            log.info("saved page is gone; saving anew page=%s", mapping.page_id)
    if space_id is None:
        raise NoSpace
    # The database may have lost the mapping: the page carries it too.
    async for page in confluence.pages.list(space_id=space_id, title=req.title, limit=5):
        prop = await confluence.pages.properties(page.id).find(PROPERTY_KEY)
        if prop is not None and _same_thread(prop.value, req):
            log.info("found saved page by its %s property page=%s", PROPERTY_KEY, page.id)
            return page, space_id
        raise DuplicateTitle
    return None, space_id


def _same_thread(value: Any, req: SaveRequest) -> bool:
    return isinstance(value, Mapping) and all(
        str(value.get(k)) == v for k, v in req.property_value.items()
    )


async def _write(
    services: Services,
    client: AsyncWebClient,
    confluence: ConfluenceClient,
    req: SaveRequest,
    existing: Page | None,
    space_id: str,
) -> SaveResult:
    thread = await fetch_thread(client, req.channel_id, req.thread_ts)
    messages = [m for m in thread if is_visible(m)]
    if not req.include_replies:
        messages = [m for m in messages if m.get("ts") == req.message_ts] or messages[:1]

    directory = SlackDirectory(client)
    names, tz, saver, channel_name, permalink = await asyncio.gather(
        directory.names_for(collect_references(messages)),
        directory.tz(req.user_id),
        directory.display_name(req.user_id),
        directory.channel_name(req.channel_id),
        _permalink(client, req.channel_id, req.thread_ts),
    )
    files = files_in(messages)
    already = await _attachment_names(confluence, existing.id) if existing and files else set()
    fetched = await download_all(
        [f for f in files if f.attachment_name not in already],
        client.token or "",
        api_url=client.base_url,
    )
    outcomes = _outcomes(files, already, fetched)

    def render(current: Mapping[str, FileOutcome]) -> str:
        ctx = ThreadContext(
            channel_name=channel_name,
            permalink=permalink,
            tz=tz,
            saved_by=saver if saver != req.user_id else req.user_name,
            names=names,
            files=current,
        )
        return thread_to_storage(messages, ctx)

    if existing is None:
        page = await _create(confluence, req, space_id, render(outcomes))
    else:
        page = await _update(confluence, existing.id, req.title, render(outcomes))
    failed = await _upload(confluence, page.id, files, fetched)
    if failed:
        outcomes.update(failed)
        page = await _update(confluence, page.id, req.title, render(outcomes))
    await _mark(confluence, page.id, req)
    site = await confluence.site()
    await services.store.threads.put(
        team_id=req.team_id,
        channel_id=req.channel_id,
        thread_ts=req.thread_ts,
        page_id=page.id,
        space_id=page.space_id or space_id,
        site_id=site.cloud_id or site.url or "",
        title=page.title,
        created_by=req.user_id,
    )
    skipped = [f"{o.name} ({o.error})" for o in outcomes.values() if o.error]
    return SaveResult(page, existing is None, skipped)


async def _permalink(client: AsyncWebClient, channel_id: str, ts: str) -> str | None:
    try:
        response = await client.chat_getPermalink(channel=channel_id, message_ts=ts)
    except SlackApiError as exc:
        log.info("chat.getPermalink failed error=%s", exc.response.get("error"))
        return None
    value = response.get("permalink")
    return str(value) if value else None


async def _attachment_names(confluence: ConfluenceClient, page_id: str) -> set[str]:
    return {a.title async for a in confluence.pages.attachments(page_id, limit=250)}


def _outcomes(
    files: list[SlackFile], already: set[str], fetched: Mapping[str, bytes | FileSkipped]
) -> dict[str, FileOutcome]:
    outcomes: dict[str, FileOutcome] = {}
    for file in files:
        got = fetched.get(file.id)
        if file.attachment_name in already or isinstance(got, bytes):
            outcomes[file.id] = FileOutcome(file.name, file.attachment_name, file.is_image)
        else:
            outcomes[file.id] = FileOutcome(file.name, error=str(got or "not downloaded"))
    return outcomes


async def _create(confluence: ConfluenceClient, req: SaveRequest, space_id: str, body: str) -> Page:
    try:
        return await confluence.pages.create(
            space_id=space_id, title=req.title, body=body, parent_id=req.parent_id
        )
    except ConfluenceError as exc:
        if is_duplicate_title(exc):
            raise DuplicateTitle from exc
        raise


async def _update(confluence: ConfluenceClient, page_id: str, title: str, body: str) -> Page:
    message = "Saved again from Slack"
    try:
        return await confluence.pages.update_body(page_id, body, title=title, message=message)
    except Conflict:
        # Someone saved in between: update_body re-reads the current version.
        return await confluence.pages.update_body(page_id, body, title=title, message=message)
    except BadRequest as exc:
        if is_duplicate_title(exc):
            raise DuplicateTitle from exc
        raise


async def _upload(
    confluence: ConfluenceClient,
    page_id: str,
    files: list[SlackFile],
    fetched: Mapping[str, bytes | FileSkipped],
) -> dict[str, FileOutcome]:
    """Upload downloaded files; the ones that fail, as outcomes saying so."""
    failed: dict[str, FileOutcome] = {}
    for file in files:
        data = fetched.get(file.id)
        if not isinstance(data, bytes):
            continue
        try:
            # Minor edits, on first saves and re-saves alike: the page's own create/update is the
            # change watchers hear about; a notification per file would only repeat it.
            await confluence.attachments.upload(
                page_id, file.attachment_name, data, media_type=file.mimetype, minor_edit=True
            )
        except ConfluenceError as exc:
            log.warning("attachment upload failed page=%s file=%s error=%s", page_id, file.id, exc)
            failed[file.id] = FileOutcome(file.name, error="upload to Confluence failed")
    return failed


async def _mark(confluence: ConfluenceClient, page_id: str, req: SaveRequest) -> None:
    """The thread -> page link as a content property, so it survives a lost database."""
    properties = confluence.pages.properties(page_id)
    current = await properties.find(PROPERTY_KEY)
    if current is None:
        await properties.create(PROPERTY_KEY, req.property_value)
    elif not _same_thread(current.value, req):
        await properties.upsert(PROPERTY_KEY, req.property_value)


async def _announce(client: AsyncWebClient, req: SaveRequest, result: SaveResult) -> None:
    url = result.page.web_url
    verb = "saved to" if result.created else "updated in"
    public = f":page_facing_up: This thread is {verb} Confluence: {link(url, result.page.title)}"
    try:
        await client.chat_postMessage(
            channel=req.channel_id, thread_ts=req.thread_ts, text=public, unfurl_links=False
        )
    except SlackApiError as exc:
        log.info("could not post the page link in the thread error=%s", exc.response.get("error"))
    private = f":white_check_mark: {'Saved' if result.created else 'Updated'} {link(url, result.page.title)}."
    if result.skipped:
        private += " Not attached: " + "; ".join(result.skipped) + "."
    await tell_user(client, req.user_id, req.channel_id, private)
