"""What the personal feed tells a user about, found in what Confluence answered (pure).

The source (``bot.personal.feed.confluence``) turns Confluence's answers into `Hit`s (pages, blog
posts and comments from one CQL query) and `TaskHit`s (tasks assigned to the user); `events_of`
decides which of them are news for this user, of which kind, under which id. Ids are what the
delivery claims are keyed on, so the same news always gets the same id:

- ``mention:<content>:<digest of the sentence>`` — a new sentence mentioning the user (an edit
  that leaves the sentence alone is not news again);
- ``comment:<comment>`` — a comment on their page or blog post, a reply to their comment, or a
  comment on a page they watch (one id whichever it is, so never twice);
- ``update:<content>:<version>`` — a page or blog post they watch, edited (not a minor edit);
- ``task:<task>`` — a task assigned to them; ``due:<task>:<yyyy-mm-dd>`` — its due day came.

The user's own actions are never news to them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from bot.convert import mention_sentence, storage_to_text
from bot.personal.preferences import Kind, Preferences

__all__ = [
    "Action",
    "FeedEvent",
    "Hit",
    "Ownership",
    "Person",
    "Ref",
    "TaskHit",
    "diff_url",
    "events_of",
    "needs_ownership",
]

Action = Literal["mentioned", "commented", "replied", "updated", "assigned", "due"]
ContentType = Literal["page", "blogpost", "comment"]
TEXT_CHARS = 300  # a comment's or sentence's text in a DM
SELECTION_CHARS = 150


@dataclass(frozen=True, slots=True)
class Person:
    account_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Ref:
    """A page or blog post (a comment's container)."""

    id: str
    type: str
    title: str
    url: str | None


@dataclass(frozen=True, slots=True)
class Hit:
    """A page, blog post or comment from the activity query, as one version of it."""

    id: str
    type: ContentType
    title: str
    url: str | None  # absolute (a comment's focuses the comment)
    by: Person | None  # who made this version (a comment: who wrote it)
    version: int
    minor_edit: bool
    storage: str
    when: datetime
    site: str | None = None  # the wiki base, for diff links
    container: Ref | None = None  # a comment's page or blog post
    parent_comment: str | None = None  # the comment a reply answers
    selection: str | None = None  # the text an inline comment hangs on
    text: str = ""  # a comment's text, plain (from `storage` when empty: only for news)


@dataclass(frozen=True, slots=True)
class TaskHit:
    id: str
    text: str
    created_by: Person | None
    created_at: datetime | None
    due_at: datetime | None
    container: Ref | None


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One item of news for one user; `id` is its delivery's claim item."""

    id: str
    kind: Kind
    action: Action
    title: str  # where: the page or blog post
    url: str | None
    at: datetime
    who: str | None = None  # display name
    text: str = ""
    selection: str | None = None
    version: int | None = None
    diff_url: str | None = None
    due: str | None = None  # yyyy-mm-dd

    def data(self) -> dict[str, Any]:
        """As small JSON (kept with the DM it is merged into)."""
        found = asdict(self)
        found["at"] = self.at.isoformat()
        return {k: v for k, v in found.items() if v not in (None, "")}

    @classmethod
    def of_data(cls, data: Mapping[str, Any]) -> FeedEvent:
        fields: dict[str, Any] = {"url": None, **data}
        fields["at"] = datetime.fromisoformat(str(fields["at"]))
        return cls(**fields)


@dataclass(frozen=True, slots=True)
class Ownership:
    """Of the pages, blog posts and comments asked about: those the user created, and those
    they watch."""

    mine: Collection[str] = ()
    watched: Collection[str] = ()


def diff_url(site: str | None, page_id: str, version: int) -> str | None:
    if not site or version < 2:
        return None
    return (
        f"{site.rstrip('/')}/pages/diffpagesbyversion.action?pageId={page_id}"
        f"&selectedPageVersions={version - 1}&selectedPageVersions={version}"
    )


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def needs_ownership(hits: Iterable[Hit], me: str) -> list[str]:
    """The ids whose creator or watchers decide what these hits mean to `me`: comments'
    containers and parent comments, and pages that mention `me` (are they watched too?)."""
    wanted: dict[str, None] = {}
    for hit in hits:
        if hit.by is not None and hit.by.account_id == me:
            continue
        if hit.type == "comment":
            if hit.container is not None:
                wanted[hit.container.id] = None
            if hit.parent_comment:
                wanted[hit.parent_comment] = None
        elif mention_sentence(hit.storage, me) is not None:
            wanted[hit.id] = None
    return list(wanted)


def events_of(
    hits: Iterable[Hit],
    tasks: Iterable[TaskHit],
    me: str,
    preferences: Preferences,
    ownership: Ownership,
    *,
    since: datetime | None = None,
    today: date | None = None,
) -> list[FeedEvent]:
    """The news in these hits and tasks for `me`, of the kinds they want, oldest first: tasks
    made since `since` (assigned), and those due on `today` (the user's day)."""
    found: list[FeedEvent] = []
    for hit in hits:
        if hit.by is not None and hit.by.account_id == me:
            continue  # your own edits and comments never notify you
        if hit.type == "comment":
            found.extend(_comment_events(hit, me, preferences, ownership))
        else:
            found.extend(_page_events(hit, me, preferences, ownership))
    if preferences.tasks:
        for task in tasks:
            found.extend(_task_events(task, me, since, today))
    found.sort(key=lambda e: (e.at, e.id))
    return found


def _page_events(
    hit: Hit, me: str, preferences: Preferences, ownership: Ownership
) -> list[FeedEvent]:
    who = hit.by.name if hit.by else None
    sentence = mention_sentence(hit.storage, me)
    found: list[FeedEvent] = []
    if sentence is not None and preferences.mentions:
        found.append(
            FeedEvent(
                f"mention:{hit.id}:{_digest(sentence)}",
                "mentions",
                "mentioned",
                hit.title,
                hit.url,
                hit.when,
                who=who,
                text=_short(sentence, TEXT_CHARS),
            )
        )
    # A page that does not mention the user came from the watcher clause; one that does, only
    # when the ownership query says they watch it.
    watched = sentence is None or hit.id in ownership.watched or hit.id in ownership.mine
    if watched and preferences.watching and not hit.minor_edit and hit.version >= 2:
        found.append(
            FeedEvent(
                f"update:{hit.id}:{hit.version}",
                "watching",
                "updated",
                hit.title,
                hit.url,
                hit.when,
                who=who,
                version=hit.version,
                diff_url=diff_url(hit.site, hit.id, hit.version),
            )
        )
    return found


def _comment_events(
    hit: Hit, me: str, preferences: Preferences, ownership: Ownership
) -> list[FeedEvent]:
    where = hit.container
    title = where.title if where is not None else hit.title
    who = hit.by.name if hit.by else None
    sentence = mention_sentence(hit.storage, me)
    if sentence is not None and preferences.mentions:
        text = _short(sentence, TEXT_CHARS)
        kind: Kind = "mentions"
        action: Action = "mentioned"
    else:
        text = _short(hit.text or storage_to_text(hit.storage, TEXT_CHARS), TEXT_CHARS)
        reply = hit.parent_comment is not None and hit.parent_comment in ownership.mine
        on_mine = where is not None and where.id in ownership.mine
        on_watched = where is not None and where.id in ownership.watched
        if (reply or on_mine) and preferences.comments:
            kind, action = "comments", "replied" if reply else "commented"
        elif (on_mine or on_watched) and preferences.watching:
            kind, action = "watching", "commented"
        else:
            return []
    return [
        FeedEvent(
            f"comment:{hit.id}",
            kind,
            action,
            title,
            hit.url,
            hit.when,
            who=who,
            text=text,
            selection=_selection(hit.selection),
        )
    ]


def _selection(selection: str | None) -> str | None:
    return _short(selection, SELECTION_CHARS) if selection else None


def _task_events(
    task: TaskHit, me: str, since: datetime | None, today: date | None
) -> list[FeedEvent]:
    where = task.container
    title = where.title if where is not None else "a task"
    url = where.url if where is not None else None
    found: list[FeedEvent] = []
    by = task.created_by
    new = task.created_at is not None and (since is None or task.created_at >= since)
    if new and task.created_at is not None and (by is None or by.account_id != me):
        found.append(
            FeedEvent(
                f"task:{task.id}",
                "tasks",
                "assigned",
                title,
                url,
                task.created_at,
                who=by.name if by else None,
                text=task.text,
            )
        )
    if (
        today is not None
        and task.due_at is not None
        and task.due_at.astimezone(UTC).date() == today
    ):
        day = today.isoformat()
        at = task.created_at or task.due_at
        found.append(
            FeedEvent(
                f"due:{task.id}:{day}", "tasks", "due", title, url, at, text=task.text, due=day
            )
        )
    return found
