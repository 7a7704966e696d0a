"""The feed's reads in Confluence, each as the user's own connection on the background lane.

A poll of one user sends (the queries, in the README too):

1. ``GET /rest/api/search`` (v1 CQL, 50 hits a page with bodies) —
   ``lastmodified >= "<since, in the user's zone>" and (mention = currentUser() or type = comment
   or (watcher = currentUser() and type in (page, blogpost)))``, the clauses of the kinds the
   user wants only, expanding each hit's version, history, container, ancestors, extensions and
   storage body: mentions, comments (with their page, the comment they reply to and an inline
   comment's selection) and watched pages' edits in one request;
2. only when (1) found comments by others, or pages mentioning the user: ``GET /rest/api/search``
   with ``id in (<their pages, the comments they reply to, the pages mentioning the user>) and
   (creator = currentUser() or watcher = currentUser())`` — which of those are the user's, or
   watched by them;
3. ``GET /api/v2/tasks?assigned-to=<me>&status=incomplete&created-at-from=<since>`` (tasks on);
   on the first poll of the user's day also ``…&due-at-from=<today>&due-at-to=<end of today>``;
   then, when tasks were found, ``GET /api/v2/pages?id=…`` (their pages, one request per 250) and
   ``POST /api/v2/users-bulk`` (who made them);
4. ``GET /rest/api/user/current`` (the user's time zone, for CQL dates) once a day per process,
   and ``GET /rest/api/settings/systemInfo`` once per process when a user hides their zone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.confluence import ConfluenceClient
from bot.confluence.cql import cql_datetime
from bot.confluence.models import LinkedModel, absolute_url, storage_value
from bot.confluence.paging import MAX_LIMIT
from bot.confluence.search_models import SearchResult
from bot.convert import task_text
from bot.personal.feed.events import (
    Hit,
    Ownership,
    Person,
    Ref,
    TaskHit,
    needs_ownership,
)
from bot.personal.feed.ports import Activity
from bot.personal.ports import Me
from bot.personal.preferences import Preferences

__all__ = ["ACTIVITY_EXPAND", "ConfluenceFeedSource", "activity_cql"]

ACTIVITY_EXPAND = tuple(
    f"content.{part}"
    for part in ("version", "history", "container", "ancestors", "extensions", "body.storage")
)
SEARCH_PAGE = 50  # Confluence's cap with bodies
MAX_HITS = 500  # per poll; a busier window is cut (logged by the service)
OWNERSHIP_BATCH = 100  # ids per ownership query
# Whether a user created or watches a page (or wrote a comment) is remembered this long: a
# page they start or stop watching counts from the next question after that.
WATCH_TTL = 3600.0
WATCH_MEMORY = 5000  # answers kept per user before the expired ones are dropped
ZONE_TTL = 24 * 3600.0
TEXT_CHARS = 300


def activity_cql(since: datetime, zone: str, preferences: Preferences) -> str | None:
    """The one CQL query for mentions, comments and watched pages (None: none of them wanted)."""
    clauses = []
    if preferences.mentions:
        clauses.append("mention = currentUser()")
    if preferences.comments or preferences.watching:
        clauses.append("type = comment")
    if preferences.watching:
        clauses.append("(watcher = currentUser() and type in (page, blogpost))")
    if not clauses:
        return None
    return f"lastmodified >= {cql_datetime(since, zone)} and ({' or '.join(clauses)})"


def _person(user: Any) -> Person | None:
    if user is None or not user.account_id:
        return None
    return Person(user.account_id, user.name)


def _url(item: LinkedModel) -> str | None:
    try:
        return item.web_url
    except ValueError:
        return None


def _ref(container: dict[str, Any] | None, base: str | None) -> Ref | None:
    if not container or not container.get("id"):
        return None
    webui = (container.get("_links") or {}).get("webui")
    url = absolute_url(base, webui) if base and isinstance(webui, str) else None
    return Ref(
        str(container["id"]),
        str(container.get("type") or "page"),
        str(container.get("title") or ""),
        url,
    )


def hit_of(result: SearchResult) -> Hit | None:
    """A search hit as the feed reads it (None: not a page, blog post or comment)."""
    content = result.content
    if content is None or content.id is None or content.type not in ("page", "blogpost", "comment"):
        return None
    base = result.links.base or content.links.base
    version = content.version
    history = content.history
    storage = content.storage or ""
    when = (version.when if version else None) or result.last_modified or datetime.now(UTC)
    if content.type == "comment":
        ancestors = [a for a in content.ancestors or [] if a.type == "comment" and a.id]
        extensions = content.extensions or {}
        inline = (
            extensions.get("inlineProperties") if extensions.get("location") == "inline" else None
        )
        selection = inline.get("originalSelection") if isinstance(inline, dict) else None
        container = _ref(content.container, base)
        return Hit(
            id=content.id,
            type="comment",
            title=container.title if container else result.title,
            url=_url(result),
            by=_person(history.created_by if history else None)
            or _person(version.by if version else None),
            version=version.number if version else 1,
            minor_edit=False,
            storage=storage,
            when=(history.created_date if history else None) or when,
            site=base,
            container=container,
            parent_comment=ancestors[-1].id if ancestors else None,
            selection=str(selection) if selection else None,
        )
    return Hit(
        id=content.id,
        type="page" if content.type == "page" else "blogpost",
        title=content.title or result.title,
        url=_url(result),
        by=_person(version.by if version else None),
        version=version.number if version else 1,
        minor_edit=bool(version.minor_edit) if version else False,
        storage=storage,
        when=when,
        site=base,
    )


class ConfluenceFeedSource:
    def __init__(self, client: ConfluenceClient, *, monotonic: Any = time.monotonic) -> None:
        self._client = client  # the root client; each poll acts as the user's connection
        self._monotonic = monotonic
        self._zones: dict[str, tuple[str, float]] = {}
        self._site_zone: str | None = None
        # account -> content id -> (created by them, watched by them, when asked)
        self._watches: dict[str, dict[str, tuple[bool, bool, float]]] = {}

    def _as(self, me: Me) -> ConfluenceClient:
        """As the user, on the limiter's background lane (interactive requests go first)."""
        return self._client.using(me.connection_id).in_background()

    async def poll(
        self, me: Me, since: datetime, until: datetime, preferences: Preferences
    ) -> Activity:
        counter = _Counter()
        zone = await self._zone(me, counter)
        hits: list[Hit] = []
        cql = activity_cql(since, zone, preferences)
        if cql is not None:
            hits = await self._activity(me, cql, counter)
        ownership = Ownership()
        wanted = needs_ownership(hits, me.account_id)
        if wanted:
            ownership = await self._ownership(me, wanted, counter)
        tasks: list[TaskHit] = []
        today: date | None = None
        if preferences.tasks:
            local = ZoneInfo(zone)
            if since.astimezone(local).date() != until.astimezone(local).date():
                today = until.astimezone(local).date()
            tasks = await self._tasks(me, since, today, counter)
        return Activity(hits, tasks, ownership, today, counter.n)

    async def _zone(self, me: Me, counter: _Counter) -> str:
        cached = self._zones.get(me.account_id)
        if cached is not None and self._monotonic() - cached[1] < ZONE_TTL:
            return cached[0]
        counter.n += 1
        user = await self._as(me).users.current()
        zone = user.time_zone
        if not zone:
            if self._site_zone is None:
                counter.n += 1
                info = await self._as(me).settings.system_info()
                self._site_zone = info.default_time_zone or "UTC"
            zone = self._site_zone
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = "UTC"
        self._zones[me.account_id] = (zone, self._monotonic())
        return zone

    async def _activity(self, me: Me, cql: str, counter: _Counter) -> list[Hit]:
        pager = self._as(me).search.cql(
            cql, limit=SEARCH_PAGE, excerpt=None, expand=ACTIVITY_EXPAND
        )
        hits: list[Hit] = []
        async for page in pager.pages():
            counter.n += 1
            hits.extend(h for r in page.items if (h := hit_of(r)) is not None)
            if len(hits) >= MAX_HITS:
                break
        return hits

    async def _ownership(self, me: Me, ids: Sequence[str], counter: _Counter) -> Ownership:
        """Which of `ids` `me` created or watches: remembered for WATCH_TTL, asked for the rest."""
        now = self._monotonic()
        known = self._watches.setdefault(me.account_id, {})
        unknown = [i for i in ids if i not in known or now - known[i][2] >= WATCH_TTL]
        client = self._as(me)
        for start in range(0, len(unknown), OWNERSHIP_BATCH):
            batch = unknown[start : start + OWNERSHIP_BATCH]
            for content_id in batch:
                known[content_id] = (False, False, now)
            cql = (
                f"id in ({', '.join(batch)}) and "
                "(creator = currentUser() or watcher = currentUser())"
            )
            expand = ("content.history",)
            pager = client.search.cql(cql, limit=OWNERSHIP_BATCH, excerpt=None, expand=expand)
            async for page in pager.pages():
                counter.n += 1
                for result in page.items:
                    content = result.content
                    if content is None or content.id is None:
                        continue
                    creator = content.history.created_by if content.history else None
                    mine = creator is not None and creator.account_id == me.account_id
                    # Created by them (autowatched), or watched.
                    known[content.id] = (mine, True, now)
        if len(known) > WATCH_MEMORY:
            for stale in [i for i, (_, _, at) in known.items() if now - at >= WATCH_TTL]:
                del known[stale]
        mine_ids = frozenset(i for i in ids if known[i][0])
        watched_ids = frozenset(i for i in ids if known[i][1])
        return Ownership(mine_ids, watched_ids)

    async def _tasks(
        self, me: Me, since: datetime, today: date | None, counter: _Counter
    ) -> list[TaskHit]:
        client = self._as(me)
        listings = [
            client.tasks.list(
                assigned_to=me.account_id,
                status="incomplete",
                created_at_from=since,
                body_format="storage",
                limit=MAX_LIMIT,
            )
        ]
        if today is not None:
            start = datetime(today.year, today.month, today.day, tzinfo=UTC)
            listings.append(
                client.tasks.list(
                    assigned_to=me.account_id,
                    status="incomplete",
                    due_at_from=start,
                    due_at_to=start + timedelta(days=1) - timedelta(milliseconds=1),
                    body_format="storage",
                    limit=MAX_LIMIT,
                )
            )
        found: dict[str, Any] = {}
        for listing in listings:
            async for page in listing.pages():
                counter.n += 1
                for task in page.items:
                    found.setdefault(task.id, task)
        if not found:
            return []
        return await self._task_hits(me, list(found.values()), counter)

    async def _task_hits(self, me: Me, tasks: list[Any], counter: _Counter) -> list[TaskHit]:
        client = self._as(me)
        refs: dict[str, Ref] = {}
        for kind, api in (("page", client.pages), ("blogpost", client.blogposts)):
            ids = sorted({t.page_id if kind == "page" else t.blog_post_id for t in tasks} - {None})
            for start in range(0, len(ids), MAX_LIMIT):
                counter.n += 1
                async for item in api.list(ids=ids[start : start + MAX_LIMIT], limit=MAX_LIMIT):
                    refs[item.id] = Ref(item.id, kind, item.title, _url(item))
        creators = sorted({t.created_by for t in tasks if t.created_by} - {me.account_id})
        names: dict[str, str] = {}
        if creators:
            counter.n += 1
            users = await client.users.bulk(creators)
            names = {a: u.name for a, u in users.items()}
        return [
            TaskHit(
                id=t.id,
                text=task_text(storage_value(t.body) or "", TEXT_CHARS).strip() or "(a task)",
                created_by=Person(t.created_by, names.get(t.created_by, "Someone"))
                if t.created_by
                else None,
                created_at=t.created_at,
                due_at=t.due_at,
                container=refs.get(t.page_id or t.blog_post_id or ""),
            )
            for t in tasks
        ]


class _Counter:
    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0
