"""What happened in a space, as the poller sees it: activity read from Confluence, and the events
a channel may hear about (pure: no I/O).

One poll returns each changed page, blog post or comment once, at its latest version (a CQL
search sees current content, not every version). `events_in` turns those hits into events:

- a page or blog post at version N is the event ``c<id>v<N>``: "created" when Confluence says it
  was created inside the window (whatever N is now: edits right after creation belong to it),
  else "updated" (the versions between the one last announced and N are one update);
- a comment is the event ``m<id>``, once: when it was created inside the window (a later edit of
  an old comment is not news).

Events are de-duplicated by their id across polls and processes with delivery claims (the window
overlaps the previous one on purpose), so the same hit seen twice is one event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

__all__ = [
    "Activity",
    "ContentType",
    "Event",
    "EventKind",
    "PageFacts",
    "PageRef",
    "Person",
    "events_in",
]

ContentType = Literal["page", "blogpost", "comment"]
EventKind = Literal["created", "updated", "commented"]


@dataclass(frozen=True, slots=True)
class Person:
    account_id: str | None
    name: str  # Confluence display name


@dataclass(frozen=True, slots=True)
class PageRef:
    """A page or blog post, as a link."""

    id: str
    title: str
    url: str  # absolute
    type: Literal["page", "blogpost"] = "page"


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What the filters read about a page: its labels and its ancestors (root first)."""

    labels: tuple[str, ...] = ()
    ancestor_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Activity:
    """One search hit: a page, blog post or comment at its latest version."""

    id: str
    type: ContentType
    space_key: str
    title: str
    url: str  # absolute (a comment's link focuses it on its page)
    version: int
    when: datetime  # when this version was made (aware)
    by: Person  # who made it
    created_at: datetime  # when version 1 was made
    created_by: Person
    minor_edit: bool = False
    message: str = ""  # the edit message, when there is one
    excerpt: str = ""  # plain text, short
    space_name: str = ""
    site: str = ""  # the wiki's base URL ("https://x.atlassian.net/wiki"), for diff links
    facts: PageFacts = field(default_factory=PageFacts)  # pages and blog posts
    parent: PageRef | None = None  # a page's parent page
    on: PageRef | None = None  # a comment's page or blog post
    inline_selection: str | None = None  # the text an inline comment is about

    @property
    def page_id(self) -> str:
        """The page this activity is about: itself, or a comment's page."""
        return self.on.id if self.on is not None else self.id


@dataclass(frozen=True, slots=True)
class Event:
    id: str  # "c<content id>v<version>" or "m<comment id>": the delivery claim's item
    kind: EventKind
    activity: Activity
    facts: PageFacts  # of the page concerned (a comment's page's, when known)

    @property
    def content_type(self) -> ContentType:
        return self.activity.type

    @property
    def page_id(self) -> str:
        return self.activity.page_id

    @property
    def topic(self) -> str:
        """What later activity threads under: the page concerned."""
        return f"page:{self.page_id}"

    @property
    def when(self) -> datetime:
        return self.activity.when

    @property
    def author(self) -> Person:
        return self.activity.by


def event_id(activity: Activity) -> str:
    if activity.type == "comment":
        return f"m{activity.id}"
    return f"c{activity.id}v{activity.version}"


def events_in(
    hits: Iterable[Activity],
    since: Mapping[str, datetime],
    pages: Mapping[str, PageFacts] | None = None,
) -> list[Event]:
    """The events among `hits`, oldest first: each hit counts when its space's window (`since`,
    by space key) covers it. `pages` holds what is known of the pages comments are on (their
    own hits give it otherwise)."""
    hits = list(hits)
    known = {h.id: h.facts for h in hits if h.type != "comment"}
    known.update(pages or {})
    events: list[Event] = []
    for hit in hits:
        start = since.get(hit.space_key)
        if start is None or hit.when < start:
            continue
        if hit.type == "comment":
            if hit.created_at < start:
                continue  # an edit of an older comment
            facts = known.get(hit.page_id, PageFacts())
            events.append(Event(event_id(hit), "commented", hit, facts))
            continue
        kind: EventKind = "created" if hit.version == 1 or hit.created_at >= start else "updated"
        events.append(Event(event_id(hit), kind, hit, hit.facts))
    events.sort(key=lambda e: (e.when, e.id))
    return events
