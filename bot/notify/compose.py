"""Channel messages for Confluence activity, as plain Block Kit dicts (pure: no Slack imports).

- a new page or blog post: its title (linked), space, author, parent page and a short excerpt;
- an update: who, which version(s), the edit message(s) and a link to the diff;
- a comment: who, on which page (and which text, for an inline comment), an excerpt, a link;
- a gap: activity older than the catch-up window, summarised in one message.

A message may tell more than one event: edits of one page by one person within the merge window
are folded into one message, rewritten in place (`Story` is what it tells, kept with the message
so the next edit can rewrite it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urlencode

from bot.notify.events import Event, EventKind, PageRef

__all__ = ["NotifyMessage", "Story", "compose", "compose_gap", "diff_url", "person"]

SECTION_TEXT_LIMIT = 3000
EXCERPT_LIMIT = 240
TITLE_LIMIT = 200
NAME_LIMIT = 100
MESSAGE_LIMIT = 200  # an edit message
FALLBACK_LIMIT = 300

Block = dict[str, Any]


@dataclass(frozen=True, slots=True)
class NotifyMessage:
    text: str  # notification / fallback text
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Story:
    """What one message tells: an event, and the edits by the same person folded into it."""

    kind: EventKind
    first_version: int  # the first version the message covers (1 for a new page)
    last_version: int
    messages: tuple[str, ...] = ()  # the covered versions' edit messages, oldest first

    @classmethod
    def of(cls, event: Event) -> Story:
        activity = event.activity
        first = 1 if event.kind == "created" else activity.version
        return cls(event.kind, first, activity.version, _messages(activity.message))

    def since(self, version: int) -> Story:
        """An update that covers the versions after `version` (the one last announced)."""
        return replace(self, first_version=min(version + 1, self.last_version))

    def folded(self, event: Event) -> Story:
        """This story with a later edit folded in."""
        version = max(self.last_version, event.activity.version)
        return replace(
            self,
            last_version=version,
            messages=self.messages + _messages(event.activity.message),
        )

    def data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "first": self.first_version,
            "last": self.last_version,
            "messages": list(self.messages),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Story | None:
        try:
            kind = str(data["kind"])
            if kind not in ("created", "updated", "commented"):
                return None
            messages = tuple(str(m) for m in data.get("messages") or ())
            return cls(cast(EventKind, kind), int(data["first"]), int(data["last"]), messages)
        except (KeyError, TypeError, ValueError):
            return None


def _messages(message: str) -> tuple[str, ...]:
    message = " ".join(message.split())
    return (message,) if message else ()


def diff_url(site: str, page_id: str, old: int, new: int) -> str:
    """Confluence's page history comparison of two versions."""
    query = urlencode(
        [("pageId", page_id), ("selectedPageVersions", old), ("selectedPageVersions", new)]
    )
    return f"{site.rstrip('/')}/pages/diffpagesbyversion.action?{query}"


def compose(event: Event, story: Story, who: str) -> NotifyMessage:
    """The message telling `story` (whose latest event is `event`). `who` is the author as
    mrkdwn: a Slack mention when their Confluence account is linked, else their name (escaped:
    see `person`)."""
    activity = event.activity
    space = _escape(_clip(activity.space_name or activity.space_key, NAME_LIMIT))
    if story.kind == "commented":
        return _comment(event, who, space)
    noun = "blog post" if activity.type == "blogpost" else "page"
    title = _link(activity.url, activity.title)
    lines: list[str]
    if story.kind == "created":
        lines = [f":page_facing_up: New {noun} {title} in *{space}* by {who}"]
        if activity.parent is not None:
            lines.append(f"Under {_link(activity.parent.url, activity.parent.title, bold=False)}")
        if story.last_version > 1:
            lines.append(f"Edited since: now version {story.last_version}")
        fallback = f"New {noun} {activity.title} by {_plain_who(who)}"
    else:
        versions = (
            f"version {story.last_version}"
            if story.first_version >= story.last_version
            else f"versions {story.first_version}–{story.last_version}"
        )
        diff = diff_url(activity.site, activity.id, story.first_version - 1, story.last_version)
        lines = [f":pencil2: {who} updated {title} in *{space}* ({versions})"]
        if story.messages:
            said = "; ".join(f"“{_escape(_clip(m, MESSAGE_LIMIT))}”" for m in story.messages)
            lines.append(_clip(said, 1000))
        if activity.site:
            lines.append(f"<{_target(diff)}|View the changes>")
        fallback = f"{_plain_who(who)} updated {activity.title} ({versions})"
    blocks = [_section("\n".join(lines))]
    if story.kind == "created" and activity.excerpt.strip():
        blocks.append(_section(_quote(activity.excerpt)))
    blocks.append(_context(_date(activity.when)))
    return NotifyMessage(_clip(fallback, FALLBACK_LIMIT), blocks)


def _comment(event: Event, who: str, space: str) -> NotifyMessage:
    activity = event.activity
    page = activity.on or PageRef(activity.id, activity.title, activity.url)
    lines = [f":speech_balloon: {who} commented on {_link(page.url, page.title)} in *{space}*"]
    if activity.inline_selection:
        lines.append(f"On “{_escape(_clip(activity.inline_selection.strip(), 150))}”")
    blocks = [_section("\n".join(lines))]
    if activity.excerpt.strip():
        blocks.append(_section(_quote(activity.excerpt)))
    blocks.append(_context(f"<{_target(activity.url)}|View the comment> · {_date(activity.when)}"))
    fallback = f"{_plain_who(who)} commented on {page.title}"
    return NotifyMessage(_clip(fallback, FALLBACK_LIMIT), blocks)


def compose_gap(
    space_key: str, space_name: str, start: datetime, end: datetime, changes: int, more: bool
) -> NotifyMessage:
    """Activity in [start, end) that was not posted one by one (older than the catch-up window
    when notifications resumed): how much, in one message."""
    space = _escape(_clip(space_name or space_key, NAME_LIMIT))
    count = f"{changes}{'+' if more else ''} change{'' if changes == 1 and not more else 's'}"
    text = (
        f":hourglass: Notifications for *{space}* ({_escape(space_key)}) were not running from "
        f"{_date(start)} to {_date(end)}: {count} in that time are not posted one by one."
    )
    return NotifyMessage(
        _clip(f"{count} in {space_key} were not posted one by one", FALLBACK_LIMIT),
        [_section(_clip(text, SECTION_TEXT_LIMIT))],
    )


def person(name: str, slack_user_id: str | None) -> str:
    """How an author appears: a mention when their account is linked to a Slack user."""
    if slack_user_id:
        return f"<@{slack_user_id}>"
    return f"*{_escape(_clip(name.strip() or 'Someone', NAME_LIMIT))}*"


def _plain_who(who: str) -> str:
    return who.strip("*").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _link(url: str, title: str, *, bold: bool = True) -> str:
    label = _label(_clip(title.strip() or "(untitled)", TITLE_LIMIT))
    link = f"<{_target(url)}|{label}>" if url else label
    return f"*{link}*" if bold else link


def _quote(text: str) -> str:
    return ">" + _escape(_clip(" ".join(text.split()), EXCERPT_LIMIT))


def _date(moment: datetime) -> str:
    """Slack renders ``<!date^…>`` in each reader's time zone; the fallback is UTC."""
    utc = moment.astimezone(UTC)
    return (
        f"<!date^{int(utc.timestamp())}^{{date_short_pretty}} at {{time}}|{utc:%Y-%m-%d %H:%M} UTC>"
    )


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, SECTION_TEXT_LIMIT)}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape(text: str) -> str:
    """The three characters Slack mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _label(text: str) -> str:
    """Text inside ``<url|label>``: ``|`` has no escape, so a look-alike replaces it."""
    return _escape(text.replace("|", "\N{FULLWIDTH VERTICAL LINE}"))


def _target(url: str) -> str:
    """A URL inside ``<…|…>``: characters that would end the link are percent-encoded."""
    for char, code in ((" ", "%20"), ("|", "%7C"), ("<", "%3C"), (">", "%3E")):
        url = url.replace(char, code)
    return url.replace("&", "&amp;")
