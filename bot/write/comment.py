"""Footer comments from Slack: which page a message or a link points at, and the comment."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from bot.confluence import BlogPost, ConfluenceClient, FooterComment, Page
from bot.confluence.urls import ContentRef, parse_content_url, parse_web_url
from bot.confluence.urls import is_lookalike as is_lookalike  # moved there; kept importable here
from bot.convert import Names, collect_references, mrkdwn_to_storage
from bot.write.errors import ForeignLink
from bot.write.ports import ConfluenceAccess, NameDirectory

_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>|(https?://[^\s<>|]+)")
SLUG_TITLE_MAX = 75


def _urls(message: Mapping[str, Any]) -> Iterator[str]:
    stack: list[Any] = list(message.get("blocks") or [])
    while stack:
        node = stack.pop(0)
        if isinstance(node, Mapping):
            if node.get("type") == "link" and isinstance(node.get("url"), str):
                yield node["url"]
            stack.extend(node.get("elements") or [])
    for match in _LINK.finditer(str(message.get("text") or "")):
        yield match.group(1) or match.group(2)


def linked_content(
    message: Mapping[str, Any], site_url: str | None
) -> tuple[ContentRef, str] | None:
    """The first page/blog post of our site (`site_url`; None: not known, so none) linked in a
    message, with a title read from its URL (…/pages/123/Deploy+checklist -> "Deploy
    checklist"), so no lookup delays the modal."""
    if site_url is None:
        return None
    for url in _urls(message):
        ref = parse_content_url(html.unescape(url), site_url=site_url)
        if ref is None:
            continue
        segments = urlsplit(html.unescape(url)).path.rstrip("/").split("/")
        after_id = segments[segments.index(ref.id) + 1 :] if ref.id in segments else []
        title = unquote_plus(after_id[0]) if after_id else ""
        return ref, (title or f"Page {ref.id}")[:SLUG_TITLE_MAX]
    return None


def ref_value(ref: ContentRef) -> str:
    """A picker option value: a page's bare id (as the page search gives), `blogpost:ID`."""
    return f"blogpost:{ref.id}" if ref.kind == "blogpost" else ref.id


def parse_ref_value(value: str) -> ContentRef | None:
    kind, _, content_id = value.rpartition(":")
    if kind == "blogpost" and content_id.isdigit():
        return ContentRef("blogpost", content_id)
    return ContentRef("page", value) if value.isdigit() else None


def _as_typed(target: str) -> str:
    """A link as typed or as Slack sends it (`<url|label>`), without Slack's brackets."""
    return target.strip().strip("<>").split("|", 1)[0]


def foreign_hosts(target: str, site_url: str) -> tuple[str, str] | None:
    """(the link's host, our site's host) for a link to another Confluence site, else None."""
    link = parse_web_url(_as_typed(target))
    site = parse_web_url(site_url)
    if link is None or site is None or link.host == site.host:
        return None
    return link.host, site.host


async def comment_storage(
    directory: NameDirectory, text: str, *, attribution: str | None, slack_escaped: bool
) -> str:
    """Storage for a comment; <@U…> mentions become display names (one lookup each)."""
    refs = collect_references([{"type": "message", "text": text}])
    names = Names()
    if refs.user_ids or refs.channel_ids or refs.usergroup_ids:
        names = await directory.names_for(refs)
    return mrkdwn_to_storage(text, names, attribution=attribution, slack_escaped=slack_escaped)


async def post_comment(
    confluence: ConfluenceClient, ref: ContentRef, storage: str
) -> tuple[Page | BlogPost, FooterComment]:
    """Check the target exists (for its title and link), then add the footer comment."""
    target = await confluence.content(ref)
    if ref.kind == "blogpost":
        comment = await confluence.footer_comments.create(storage, blogpost_id=ref.id)
    else:
        comment = await confluence.footer_comments.create(storage, page_id=ref.id)
    return target, comment


@dataclass(frozen=True)
class CommentRequest:
    team_id: str | None
    user_id: str
    user_name: str
    ref: ContentRef
    text: str
    slack_escaped: bool  # typed in a message (&amp; &lt; &gt;), not in a modal's input
    link: str | None = None  # the link the user gave, to refuse one to another site


class CommentOnPage:
    def __init__(self, access: ConfluenceAccess, directory: Callable[[], NameDirectory]) -> None:
        self._access = access
        self._directory = directory

    async def __call__(self, req: CommentRequest) -> Page | BlogPost:
        """The page or blog post commented on. Raises ForeignLink, NotAllowed or ConfluenceError."""
        confluence = await self._access.client_for(req.team_id, req.user_id)
        if req.link is not None:
            hosts = foreign_hosts(req.link, await confluence.site_url())
            if hosts is not None:
                raise ForeignLink(*hosts)
        attribution = await self._access.attribution_for(req.team_id, req.user_id, req.user_name)
        storage = await comment_storage(
            self._directory(), req.text, attribution=attribution, slack_escaped=req.slack_escaped
        )
        target, _ = await post_comment(confluence, req.ref, storage)
        return target
