"""Save a Slack thread as a Confluence page, or update the page it was saved to before.

A save is recoverable: it holds a lease on its thread in the database (save_lease) and records
its intent there — the request first, then the title and space just before the page is created,
then the page id. If the process dies mid-save, the scheduler's sweep runs the save again from
its recorded request (`interrupted`, then the save with `resumed=True`), adopting the page the
dead save created (save_target) instead of creating a second one. Confluence's v2 page create
takes no content properties, so the `slack-thread` property is added right after creation; until
then the database's intent is what links page and thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.confluence import ConfluenceClient, ConfluenceError, Page
from bot.convert import FileOutcome, ThreadContext, collect_references, thread_to_storage
from bot.convert.message import is_visible
from bot.write.errors import ThreadBusy
from bot.write.files import FileSkipped, SlackFile, files_in, outcomes
from bot.write.pages import create_page, update_page
from bot.write.ports import (
    ConfluenceAccess,
    FileSource,
    NameDirectory,
    ThreadReply,
    ThreadSource,
    WriteStore,
)
from bot.write.preflight import Preflight
from bot.write.save_lease import Lease, kept, settle, take
from bot.write.save_request import SaveRequest, SaveResult
from bot.write.save_target import find_target, mark

log = logging.getLogger("bot.write.save")
# A save that was interrupted this often is not resumed again (it may be what stops the process).
MAX_RESUMES = 3


class SaveTakenOver(Exception):
    """Another process took this save over (our lease ran out): it finishes and reports."""


@dataclass(frozen=True)
class Interrupted:
    """A save whose process died, to run again (or to give up once it was tried too often)."""

    request: SaveRequest
    resumes: int

    @property
    def exhausted(self) -> bool:
        return self.resumes >= MAX_RESUMES


@dataclass(frozen=True)
class _Thread:
    messages: list[dict[str, Any]]
    render: Callable[[Mapping[str, FileOutcome]], str]


class SaveThread:
    def __init__(
        self,
        *,
        access: ConfluenceAccess,
        store: WriteStore,
        source: ThreadSource,
        files: FileSource,
        directory: Callable[[], NameDirectory],
        reply: ThreadReply,
    ) -> None:
        self._access = access
        self._store = store
        self._source = source
        self._files = files
        self._directory = directory  # a fresh one per save: names are looked up once each
        self._reply = reply

    async def __call__(
        self, req: SaveRequest, preflight: Preflight, *, resumed: bool = False
    ) -> SaveResult | None:
        """The whole save, or None when another process finishes it (and tells the user).

        One save per thread at a time, across processes: two people saving the same thread from
        two modals at once would otherwise both find no page and create two (the second is told
        ThreadBusy). `resumed`: the save of a process that died, run again from its request.
        Calls `preflight.passed()` once the target page is known; raises DuplicateTitle, NoSpace,
        NotAllowed, ThreadBusy, ThreadUnavailable or ConfluenceError.
        """
        saves = self._store.saves
        lease = await take(saves, req, resuming=resumed)
        if lease is None:
            log.info("thread is being saved already channel=%s ts=%s", *req.thread_key[1:])
            if resumed:
                return None
            raise ThreadBusy
        try:
            async with kept(saves, lease):
                result = await self._save(req, preflight, lease)
        except SaveTakenOver:
            log.warning("save taken over by another process channel=%s ts=%s", *lease.key[1:])
            return None
        except asyncio.CancelledError:
            raise  # shutting down: the row stays "running", and the next process resumes the save
        except BaseException:
            await settle(saves.fail(lease.key, lease.owner))
            raise
        await settle(saves.finish(lease.key, lease.owner))
        return result

    async def interrupted(self) -> list[Interrupted]:
        """The saves whose process died, oldest first (unreadable requests are logged, skipped)."""
        found: list[Interrupted] = []
        for left in await self._store.saves.stalled():
            try:
                req = SaveRequest.from_json(left.request)
            except (ValueError, TypeError, KeyError):
                log.error("interrupted save has an unreadable request channel=%s", left.channel_id)
                continue
            found.append(Interrupted(req, left.resumes))
        return found

    async def give_up(self, req: SaveRequest) -> bool:
        """Stop resuming a save that was interrupted too often; False if another process has it."""
        lease = await take(self._store.saves, req, resuming=True)
        if lease is None:
            return False
        await self._store.saves.fail(lease.key, lease.owner)
        return True

    async def _save(self, req: SaveRequest, preflight: Preflight, lease: Lease) -> SaveResult:
        confluence = await self._access.client_for(req.team_id, req.user_id)
        existing, space_id = await find_target(confluence, self._store.threads, req, lease.left)
        preflight.passed()
        # The page is new to the user unless the thread was saved to it before (an adopted page
        # of an interrupted save is new to them too).
        first_time = existing is None or await self._store.threads.get(*lease.key) is None
        if existing is not None:
            await self._store.saves.created(lease.key, lease.owner, existing.id)
        thread = await self._read(req)
        files = files_in(thread.messages)
        already = await _attachment_names(confluence, existing.id) if existing and files else set()
        fetched = await self._files.download([f for f in files if f.attachment_name not in already])
        said = outcomes(files, already, fetched)
        if existing is None:
            # The intent first: should we die once Confluence has the page, whoever resumes this
            # save finds it by this title and space (v2 page create takes no properties).
            if not await self._store.saves.creating(lease.key, lease.owner, req.title, space_id):
                raise SaveTakenOver
            page = await create_page(
                confluence,
                space_id=space_id,
                title=req.title,
                body=thread.render(said),
                parent_id=req.parent_id,
            )
            await self._store.saves.created(lease.key, lease.owner, page.id)
        else:
            page = await update_page(confluence, existing.id, req.title, thread.render(said))
        failed = await _upload(confluence, page.id, files, fetched)
        if failed:
            said.update(failed)
            page = await update_page(confluence, page.id, req.title, thread.render(said))
        await self._finish(confluence, req, page, space_id, first_time)
        skipped = [f"{o.name} ({o.error})" for o in said.values() if o.error]
        return SaveResult(page, first_time, skipped)

    async def _read(self, req: SaveRequest) -> _Thread:
        """The messages to save, and how to render them once the files' fate is known."""
        messages = [
            m for m in await self._source.messages(req.channel_id, req.thread_ts) if is_visible(m)
        ]
        if not req.include_replies:
            messages = [m for m in messages if m.get("ts") == req.message_ts] or messages[:1]
        directory = self._directory()
        names, tz, saver, channel_name, permalink = await asyncio.gather(
            directory.names_for(collect_references(messages)),
            directory.tz(req.user_id),
            directory.display_name(req.user_id),
            directory.channel_name(req.channel_id),
            self._source.permalink(req.channel_id, req.thread_ts),
        )

        def render(files: Mapping[str, FileOutcome]) -> str:
            ctx = ThreadContext(
                channel_name=channel_name,
                permalink=permalink,
                tz=tz,
                saved_by=saver if saver != req.user_id else req.user_name,
                names=names,
                files=files,
            )
            return thread_to_storage(messages, ctx)

        return _Thread(messages, render)

    async def _finish(
        self,
        confluence: ConfluenceClient,
        req: SaveRequest,
        page: Page,
        space_id: str,
        first_time: bool,
    ) -> None:
        """Link page and thread (on the page, in the store), and say so in the thread."""
        await mark(confluence, page.id, req)
        site = await confluence.site()
        await self._store.threads.put(
            team_id=req.team_id,
            channel_id=req.channel_id,
            thread_ts=req.thread_ts,
            page_id=page.id,
            space_id=page.space_id or space_id,
            site_id=site.cloud_id or site.url or "",
            title=page.title,
            created_by=req.user_id,
        )
        await self._reply.announce(
            req.channel_id, req.thread_ts, page.title, page.web_url, created=first_time
        )


async def _attachment_names(confluence: ConfluenceClient, page_id: str) -> set[str]:
    return {a.title async for a in confluence.pages.attachments(page_id, limit=250)}


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
