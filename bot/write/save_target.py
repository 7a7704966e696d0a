"""Which page a save of a thread writes to: the one it was saved to before, the one an
interrupted save of it created (adopted, not orphaned), or a new one in the chosen space.

The database links a thread to its page; the page carries the link too, as its `slack-thread`
content property, so a lost database does not make a second page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.confluence import ConfluenceClient, NotFound, Page
from bot.store import ThreadSave
from bot.write.errors import DuplicateTitle, NoSpace
from bot.write.ports import ThreadPages
from bot.write.save_request import SaveRequest

log = logging.getLogger("bot.write.save")
PROPERTY_KEY = "slack-thread"
# A page of the intended title is the dead save's own if Confluence created it within this window
# around the recorded intent (clock skew between us and Confluence; a slow create).
ADOPT_BEFORE = timedelta(minutes=2)
ADOPT_AFTER = timedelta(minutes=10)


async def find_target(
    confluence: ConfluenceClient, threads: ThreadPages, req: SaveRequest, left: ThreadSave | None
) -> tuple[Page | None, str]:
    """The page this thread was saved to (store first, then the page an interrupted save made,
    then title + content property), and the space to create in otherwise. A page of that title
    that is not ours raises DuplicateTitle; no space to create in raises NoSpace."""
    mapping = await threads.get(req.team_id, req.channel_id, req.thread_ts)
    space_id = req.space.id if req.space else (mapping.space_id if mapping else None)
    if mapping is not None:
        try:
            return await confluence.pages.get(mapping.page_id), mapping.space_id
        except NotFound:
            log.info("saved page is gone; saving anew page=%s", mapping.page_id)
    orphan = await left_behind(confluence, req, left)
    if orphan is not None:
        return orphan, orphan.space_id or space_id or ""
    if space_id is None:
        raise NoSpace
    # The database may have lost the mapping: the page carries it too.
    async for page in confluence.pages.list(space_id=space_id, title=req.title, limit=5):
        prop = await confluence.pages.properties(page.id).find(PROPERTY_KEY)
        if prop is not None and same_thread(prop.value, req):
            log.info("found saved page by its %s property page=%s", PROPERTY_KEY, page.id)
            return page, space_id
        raise DuplicateTitle
    return None, space_id


async def left_behind(
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
            if same_thread(prop.value, req):
                return page
            continue
        if page.created_at is not None and earliest <= page.created_at <= latest:
            log.info("adopting the page an interrupted save created page=%s", page.id)
            return page
    return None


def same_thread(value: Any, req: SaveRequest) -> bool:
    return isinstance(value, Mapping) and all(
        str(value.get(k)) == v for k, v in req.property_value.items()
    )


async def mark(confluence: ConfluenceClient, page_id: str, req: SaveRequest) -> None:
    """The thread -> page link as a content property, so it survives a lost database."""
    properties = confluence.pages.properties(page_id)
    current = await properties.find(PROPERTY_KEY)
    if current is None:
        await properties.create(PROPERTY_KEY, req.property_value)
    elif not same_thread(current.value, req):
        await properties.upsert(PROPERTY_KEY, req.property_value)
