"""Save a Slack thread as a Confluence page, or update the page it was saved to before.

A save is recoverable: it holds a short lease on its thread in the database (renewed while it
works) and records its intent there — the request first, then the title and space just before
the page is created, then the page id. If the process dies mid-save, the thread is free again
within a minute (at once when the dead process was on this machine), the scheduler's sweep
resumes the save with the same request, adopting the page the dead save created (by its id, or
by title + space and creation time) instead of creating a second one, and the user is told how it
ended. Confluence's v2 page create takes no content properties, so the `slack-thread` property
is added right after creation; until then the database's intent is what links page and thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import BadRequest, Conflict, ConfluenceClient, ConfluenceError, NotFound, Page
from bot.convert import FileOutcome, ThreadContext, collect_references, thread_to_storage
from bot.convert.message import is_visible
from bot.slack.blocks import link
from bot.slack.oops import SOMETHING_WENT_WRONG
from bot.slack.services import Services
from bot.slack.write.files import FileSkipped, SlackFile, download_all, files_in
from bot.slack.write.names import SlackDirectory
from bot.slack.write.notify import tell_user
from bot.slack.write.preflight import Preflight
from bot.slack.write.submissions import FAILED
from bot.slack.write.thread_fetch import ThreadUnavailable, fetch_thread
from bot.slack.write.views import TITLE_BLOCK, SpaceChoice
from bot.store import SaveClaim, ThreadSave
from bot.store.leases import new_owner

log = logging.getLogger("bot.slack.save")
PROPERTY_KEY = "slack-thread"
# The lease on a thread while one save of it runs, renewed every RENEW_SECONDS: a save whose
# process died (elsewhere) frees the thread within LEASE_SECONDS.
LEASE_SECONDS = 60.0
RENEW_SECONDS = 20.0
# A page of the intended title is the dead save's own if Confluence created it within this window
# around the recorded intent (clock skew between us and Confluence; a slow create).
ADOPT_BEFORE = timedelta(minutes=2)
ADOPT_AFTER = timedelta(minutes=10)
# A save that was interrupted this often is not resumed again (it may be what stops the process).
MAX_RESUMES = 3
INTERRUPTED = "Your save of this thread to Confluence was interrupted when the app stopped"
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

    @property
    def thread_key(self) -> tuple[str, str, str]:
        return (self.team_id, self.channel_id, self.thread_ts)

    def to_json(self) -> str:
        fields = {**self.__dict__, "space": self.space.value if self.space else None}
        return json.dumps(fields, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SaveRequest:
        fields = json.loads(text)
        return cls(**{**fields, "space": SpaceChoice.parse(fields.get("space"))})


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


class SaveTakenOver(Exception):
    """Another process took this save over (our lease ran out): it finishes and reports."""


@dataclass
class _Lease:
    key: tuple[str, str, str]
    owner: str
    left: ThreadSave | None  # what an interrupted or failed save of this thread left


async def save_thread(
    services: Services,
    client: AsyncWebClient,
    req: SaveRequest,
    preflight: Preflight,
    *,
    resumed: bool = False,
) -> SaveResult | None:
    """The whole save; reports to the user itself (inline via `preflight` when still possible).

    One save per thread at a time, across processes: two people saving the same thread from
    two modals at once would otherwise both find no page and create two. `resumed`: the save of
    a process that died, run again from its recorded request.
    """
    saves = services.store.saves
    owner = new_owner()
    claim = await _claim(services, req, owner, resuming=resumed)
    if claim is None:
        log.info("thread is being saved already channel=%s ts=%s", req.channel_id, req.thread_ts)
        if not resumed:
            await services.store.remember_result(req.idempotency_key, FAILED)
            await _fail(client, req, preflight, SAVING_NOW)
        return None
    lease = _Lease(req.thread_key, owner, claim.left)
    renewing = asyncio.create_task(_keep_renewing(services, lease), name="save-lease")
    try:
        result = await _save_thread(services, client, req, preflight, lease, resumed)
    except SaveTakenOver:
        log.warning("save taken over by another process channel=%s ts=%s", *req.thread_key[1:])
        return None
    except asyncio.CancelledError:
        raise  # shutting down: the row stays "running", and the next process resumes the save
    except BaseException:
        await _settle(saves.fail(lease.key, owner))
        raise
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
    if result is None:
        await _settle(saves.fail(lease.key, owner))
    else:
        await _settle(saves.finish(lease.key, owner))
    return result


async def _claim(
    services: Services, req: SaveRequest, owner: str, *, resuming: bool
) -> SaveClaim | None:
    return await services.store.saves.claim(
        req.thread_key,
        owner=owner,
        request=req.to_json(),
        user_id=req.user_id,
        lease_seconds=LEASE_SECONDS,
        resuming=resuming,
    )


async def _settle(step: Any) -> None:
    # The user has their answer already; a database hiccup here only delays the thread's lease.
    try:
        await step
    except Exception:
        log.exception("could not record the end of a save; its lease expires in %ss", LEASE_SECONDS)


async def _keep_renewing(services: Services, lease: _Lease) -> None:
    while True:
        await asyncio.sleep(RENEW_SECONDS)
        try:
            if not await services.store.saves.renew(lease.key, lease.owner, LEASE_SECONDS):
                log.warning("save lease lost channel=%s ts=%s", *lease.key[1:])
                return
        except Exception:
            log.exception("could not renew the save lease; retrying in %ss", RENEW_SECONDS)


async def resume_interrupted_saves(services: Services, client: AsyncWebClient) -> int:
    """Run again the saves whose process died (one at a time); the users are told how they
    ended. Returns how many were taken up."""
    taken = 0
    for left in await services.store.saves.stalled():
        try:
            req = SaveRequest.from_json(left.request)
        except (ValueError, TypeError, KeyError):
            log.error("interrupted save has an unreadable request channel=%s", left.channel_id)
            continue
        log.warning(
            "resuming an interrupted save channel=%s ts=%s user=%s resumes=%s",
            req.channel_id,
            req.thread_ts,
            req.user_id,
            left.resumes,
        )
        taken += 1
        closed = Preflight()
        closed.passed()  # no modal is waiting: every outcome is told privately
        try:
            if left.resumes >= MAX_RESUMES:
                await _give_up(services, client, req)
            else:
                await save_thread(services, client, req, closed, resumed=True)
        except Exception:
            log.exception("resumed save failed channel=%s user=%s", req.channel_id, req.user_id)
            await tell_user(client, req.user_id, req.channel_id, SOMETHING_WENT_WRONG)
    return taken


async def _give_up(services: Services, client: AsyncWebClient, req: SaveRequest) -> None:
    saves = services.store.saves
    owner = new_owner()
    if await _claim(services, req, owner, resuming=True) is None:
        return
    await services.store.remember_result(req.idempotency_key, FAILED)
    await saves.fail(req.thread_key, owner)
    text = (
        f":warning: {INTERRUPTED} {MAX_RESUMES} times, so I stopped trying. "
        "Run *Save to Confluence* on the thread again: it picks up any page that was made."
    )
    await tell_user(client, req.user_id, req.channel_id, text)


async def _save_thread(
    services: Services,
    client: AsyncWebClient,
    req: SaveRequest,
    preflight: Preflight,
    lease: _Lease,
    resumed: bool,
) -> SaveResult | None:
    def told(text: str) -> str:
        if not resumed:
            return text
        return (
            f":warning: {INTERRUPTED}, and I couldn't finish it: {text} "
            "Run *Save to Confluence* on the thread again."
        )

    try:
        confluence = await services.confluence_for(req.team_id, req.user_id)
        existing, space_id = await _find_target(services, confluence, req, lease)
    except (DuplicateTitle, NoSpace, ConfluenceError) as exc:
        await services.store.remember_result(req.idempotency_key, FAILED)
        await _fail(client, req, preflight, told(await _sentence(services, req, exc)))
        return None
    preflight.passed()
    try:
        result = await _write(services, client, confluence, req, existing, space_id, lease)
    except (ThreadUnavailable, DuplicateTitle, ConfluenceError) as exc:
        await services.store.remember_result(req.idempotency_key, FAILED)
        text = told(await _sentence(services, req, exc))
        await tell_user(client, req.user_id, req.channel_id, text)
        return None
    await services.store.remember_result(req.idempotency_key, result.page.id)
    await _announce(client, req, result, resumed)
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
    services: Services, confluence: ConfluenceClient, req: SaveRequest, lease: _Lease
) -> tuple[Page | None, str]:
    """The page this thread was saved to (store first, then the page an interrupted save made,
    then title + content property), and the space to create in otherwise. A page of that title
    that is not ours raises DuplicateTitle."""
    mapping = await services.store.threads.get(req.team_id, req.channel_id, req.thread_ts)
    space_id = req.space.id if req.space else (mapping.space_id if mapping else None)
    if mapping is not None:
        try:
            return await confluence.pages.get(mapping.page_id), mapping.space_id
        except NotFound:
            log.info("saved page is gone; saving anew page=%s", mapping.page_id)
    orphan = await _left_behind(confluence, req, lease.left)
    if orphan is not None:
        return orphan, orphan.space_id or space_id or ""
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


async def _left_behind(
    confluence: ConfluenceClient, req: SaveRequest, left: ThreadSave | None
) -> Page | None:
    """The page an interrupted (or failed) save of this thread created: by the id it recorded,
    else by the title and space it recorded just before creating, if Confluence created a page
    of that title, without another thread's property, around that time."""
    if left is None:
        return None
    if left.page_id:
        try:
            page = await confluence.pages.get(left.page_id)
        except NotFound:
            page = None
        if page is not None:
            log.info("adopting the page of an interrupted save page=%s", page.id)
            return page
    if not (left.creating_at and left.create_title and left.create_space_id):
        return None
    earliest, latest = left.creating_at - ADOPT_BEFORE, left.creating_at + ADOPT_AFTER
    async for page in confluence.pages.list(
        space_id=left.create_space_id, title=left.create_title, limit=5
    ):
        prop = await confluence.pages.properties(page.id).find(PROPERTY_KEY)
        if prop is not None:
            if _same_thread(prop.value, req):
                return page
            continue
        if page.created_at is not None and earliest <= page.created_at <= latest:
            log.info("adopting the page an interrupted save created page=%s", page.id)
            return page
    return None


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
    lease: _Lease,
) -> SaveResult:
    saves = services.store.saves
    # The page is new to the user unless the thread was saved to it before (an adopted page of
    # an interrupted save is new to them too).
    first_time = existing is None or await services.store.threads.get(*lease.key) is None
    if existing is not None:
        await saves.created(lease.key, lease.owner, existing.id)
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
        # The intent first: should we die once Confluence has the page, whoever resumes this
        # save finds it by this title and space (v2 page create takes no properties).
        if not await saves.creating(lease.key, lease.owner, req.title, space_id):
            raise SaveTakenOver
        page = await _create(confluence, req, space_id, render(outcomes))
        await saves.created(lease.key, lease.owner, page.id)
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
    return SaveResult(page, first_time, skipped)


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


async def _announce(
    client: AsyncWebClient, req: SaveRequest, result: SaveResult, resumed: bool = False
) -> None:
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
    if resumed:
        private = (
            f":white_check_mark: {INTERRUPTED}; it is finished now: {link(url, result.page.title)}."
        )
    if result.skipped:
        private += " Not attached: " + "; ".join(result.skipped) + "."
    await tell_user(client, req.user_id, req.channel_id, private)
