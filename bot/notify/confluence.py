"""The poller's ActivitySource over the Confluence client: every read as the group's identity,
in the client's background lane (interactive requests go first).

Requests per group and round: one v1 CQL search per 100 spaces, 250 hits a page
(`type in (page, blogpost, comment) AND space in (…) AND lastmodified >= "…"`, with the version,
history, ancestors, container, space, labels and extensions expanded: everything a message shows
comes with the hit); the spaces by id (v2) when they are checked; the caller's time zone (v1
`user/current`, else the site's `settings/systemInfo`) once an hour per identity, since CQL reads
date literals in it; labels and ancestors of pages that comments are on, only when a `label:` or
`under:` filter needs them and the page is not among the hits.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, Literal

from bot.confluence import (
    AuthError,
    ConfluenceClient,
    ConfluenceError,
    ExpiredGrant,
    NoConnection,
    PermissionDenied,
)
from bot.confluence.cql import cql_datetime, quote, search_cql, strip_highlights
from bot.confluence.models import absolute_url
from bot.confluence.paging import MAX_LIMIT
from bot.confluence.search_models import ContentUser, SearchContent, SearchResult
from bot.notify.events import Activity, PageFacts, PageRef, Person
from bot.notify.ports import (
    COUNT_LIMIT,
    Identity,
    SourceAccessLost,
    SourceUnavailable,
    SpaceInfo,
)

__all__ = ["EXPAND", "ConfluenceActivity", "activity_of"]

EXPAND = tuple(
    f"content.{part}"
    for part in (
        "version",
        "history",
        "ancestors",
        "container",
        "space",
        "metadata.labels",
        "extensions",
    )
)
FACTS_EXPAND = ("content.ancestors", "content.metadata.labels")
TYPES = ("page", "blogpost", "comment")
IDS_PER_QUERY = 100
ZONE_TTL_SECONDS = 3600.0
EXCERPT_CHARS = 300

Monotonic = Callable[[], float]


class ConfluenceActivity:
    def __init__(
        self,
        confluence: ConfluenceClient,
        *,
        zone_ttl_seconds: float = ZONE_TTL_SECONDS,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        self._confluence = confluence
        self._ttl = zone_ttl_seconds
        self._monotonic = monotonic
        self._zones: dict[Identity, tuple[str, float]] = {}

    def _as(self, identity: Identity) -> ConfluenceClient:
        return self._confluence.using(identity).in_background()

    async def time_zone(self, identity: Identity) -> str:
        """The zone Confluence reads this identity's CQL dates in (cached)."""
        cached = self._zones.get(identity)
        now = self._monotonic()
        if cached is not None and now - cached[1] < self._ttl:
            return cached[0]
        client = self._as(identity)
        with _translated():
            zone = (await client.users.current()).time_zone
            if not zone:
                zone = (await client.settings.system_info()).default_time_zone
        zone = zone or "UTC"
        self._zones[identity] = (zone, now)
        return zone

    async def spaces(self, identity: Identity, space_ids: Sequence[str]) -> dict[str, SpaceInfo]:
        client = self._as(identity)
        found: dict[str, SpaceInfo] = {}
        with _translated():
            for start in range(0, len(space_ids), MAX_LIMIT):
                batch = list(space_ids[start : start + MAX_LIMIT])
                async for space in client.spaces.list(ids=batch, limit=len(batch)):
                    url = space.web_url if space.links.webui else ""
                    found[space.id] = SpaceInfo(space.id, space.key, space.name, url)
        return found

    async def activity(
        self, identity: Identity, space_keys: Sequence[str], since: datetime
    ) -> list[Activity]:
        zone = await self.time_zone(identity)
        cql = search_cql(
            types=TYPES,
            space_keys=space_keys,
            modified_since=since,
            order_by="lastmodified asc",
            time_zone=zone,
        )
        pager = self._as(identity).search.cql(
            cql, limit=MAX_LIMIT, excerpt="indexed", expand=EXPAND
        )
        found: list[Activity] = []
        with _translated():
            async for page in pager.pages():
                found += [a for hit in page.items if (a := activity_of(hit)) is not None]
        return found

    async def page_facts(self, identity: Identity, page_ids: Sequence[str]) -> dict[str, PageFacts]:
        client = self._as(identity)
        facts: dict[str, PageFacts] = {}
        with _translated():
            for start in range(0, len(page_ids), IDS_PER_QUERY):
                ids = ", ".join(quote(i) for i in page_ids[start : start + IDS_PER_QUERY])
                pager = client.search.cql(
                    f"id in ({ids})", limit=MAX_LIMIT, excerpt="none", expand=FACTS_EXPAND
                )
                async for page in pager.pages():
                    for hit in page.items:
                        content = hit.content
                        if content is not None and content.id:
                            facts[content.id] = _facts(content)
        return facts

    async def count(
        self, identity: Identity, space_keys: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, int]:
        zone = await self.time_zone(identity)
        cql = search_cql(types=TYPES, space_keys=space_keys, modified_since=start, time_zone=zone)
        cql += f" AND lastmodified < {cql_datetime(end, zone)}"
        counts: dict[str, int] = {}
        with _translated():
            page = (
                await self._as(identity)
                .search.cql(cql, limit=COUNT_LIMIT, excerpt="none", expand=("content.space",))
                .page()
            )
        for hit in page.items:
            space = hit.content.space if hit.content is not None else None
            if space is not None:
                counts[space.key] = counts.get(space.key, 0) + 1
        return counts


def activity_of(hit: SearchResult) -> Activity | None:
    """A search hit as activity; None for what the poller does not follow (or cannot read)."""
    content = hit.content
    if content is None or content.id is None or content.type not in TYPES:
        return None
    version, history, space = content.version, content.history, content.space
    if version is None or history is None or space is None:
        return None
    when, created = version.when, history.created_date
    if when is None or created is None:
        return None
    base = hit.links.base or content.links.base or ""
    kind: Literal["page", "blogpost", "comment"] = content.type  # type: ignore[assignment]
    on = _container(content.container, base) if kind == "comment" else None
    ancestors = content.ancestors or []
    parent = None if kind == "comment" or not ancestors else _ref(ancestors[-1], base)
    selection = _selection(content.extensions) if kind == "comment" else None
    return Activity(
        id=content.id,
        type=kind,
        space_key=space.key,
        title=strip_highlights(content.title or hit.title),
        url=_url(hit),
        version=version.number,
        when=when,
        by=_person(version.by),
        created_at=created,
        created_by=_person(history.created_by),
        minor_edit=version.minor_edit,
        message=version.message or "",
        excerpt=_excerpt(hit.excerpt),
        space_name=space.name or hit.space_name or "",
        site=base,
        facts=PageFacts() if kind == "comment" else _facts(content),
        parent=parent,
        on=on,
        inline_selection=selection,
    )


def _facts(content: SearchContent) -> PageFacts:
    ancestors = tuple(a.id for a in content.ancestors or [] if a.id)
    return PageFacts(tuple(content.label_names), ancestors)


def _person(user: ContentUser | None) -> Person:
    if user is None:
        return Person(None, "Someone")
    return Person(user.account_id, user.name)


def _url(hit: SearchResult) -> str:
    try:
        return hit.web_url
    except ValueError:
        return ""


def _ref(content: SearchContent, base: str) -> PageRef | None:
    if not content.id:
        return None
    webui = content.links.webui
    url = absolute_url(base, webui) if webui and base else ""
    kind: Literal["page", "blogpost"] = "blogpost" if content.type == "blogpost" else "page"
    return PageRef(content.id, strip_highlights(content.title or ""), url, kind)


def _container(container: dict[str, Any] | None, base: str) -> PageRef | None:
    if not container or not container.get("id"):
        return None
    webui = (container.get("_links") or {}).get("webui")
    url = absolute_url(base, str(webui)) if webui and base else ""
    kind: Literal["page", "blogpost"] = (
        "blogpost" if container.get("type") == "blogpost" else "page"
    )
    return PageRef(str(container["id"]), str(container.get("title") or ""), url, kind)


def _selection(extensions: dict[str, Any] | None) -> str | None:
    inline = (extensions or {}).get("inlineProperties")
    selected = inline.get("originalSelection") if isinstance(inline, dict) else None
    return str(selected) if selected else None


def _excerpt(text: str) -> str:
    text = " ".join(strip_highlights(text).split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """Confluence errors -> the port's two kinds: the identity must act, or try next round."""
    try:
        yield
    except (ExpiredGrant, NoConnection, AuthError, PermissionDenied) as exc:
        raise SourceAccessLost(str(exc)) from exc
    except ConfluenceError as exc:
        raise SourceUnavailable(str(exc)) from exc
