"""Footer comments from Slack: the page reference, the body, and the write."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from slack_sdk.web.async_client import AsyncWebClient

from bot.confluence import BlogPost, ConfluenceClient, FooterComment, Page
from bot.confluence.urls import ContentRef, parse_content_url, parse_web_url
from bot.convert import Names, collect_references, mrkdwn_to_storage
from bot.slack.write.names import SlackDirectory

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


LOOKALIKE = (
    ":warning: That link isn't a plain link to a page: it has a user name, a password or a "
    "backslash before the site's name, so a browser may open another site than it seems. "
    "Copy the page's link from the browser's address bar (or use the page's id)."
)


def lookalike_link(target: str) -> str | None:
    """The sentence for a link that a browser reads differently than it looks
    (`https://evil.com\\@acme.atlassian.net/…`, `https://user:pw@…`), else None."""
    text = target.strip().strip("<>").split("|", 1)[0]
    try:
        lax = urlsplit(text)
    except ValueError:
        return None
    if lax.scheme.lower() not in ("http", "https"):
        return None
    parsed = parse_web_url(text)
    if parsed is None or "@" in lax.netloc or parsed.host != (lax.hostname or "").lower():
        return LOOKALIKE
    return None


def foreign_link(target: str, site_url: str) -> str | None:
    """The sentence for a link to another Confluence site than ours, else None."""
    link = parse_web_url(target.strip().strip("<>").split("|", 1)[0])
    site = parse_web_url(site_url)
    if link is None or site is None or link.host == site.host:
        return None
    host, site_host = link.host, site.host
    return (
        f":warning: That link is on {host}, but I'm connected to {site_host}. "
        "Use a link to a page on that site (or the page's id)."
    )


def prefill_text(message: Mapping[str, Any]) -> str:
    """The message's text as a person would type it (Slack's &amp;/&lt;/&gt; decoded)."""
    text = str(message.get("text") or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def comment_storage(
    client: AsyncWebClient, text: str, *, attribution: str | None, slack_escaped: bool
) -> str:
    """Storage for a comment; <@U…> mentions become display names (one users.info each)."""
    refs = collect_references([{"type": "message", "text": text}])
    names = Names()
    if refs.user_ids or refs.channel_ids or refs.usergroup_ids:
        names = await SlackDirectory(client).names_for(refs)
    return mrkdwn_to_storage(text, names, attribution=attribution, slack_escaped=slack_escaped)


async def post_comment(
    confluence: ConfluenceClient, ref: ContentRef, storage: str
) -> tuple[Page | BlogPost, FooterComment]:
    """Check the target exists (for its title and link), then add the footer comment."""
    target: Page | BlogPost
    if ref.kind == "blogpost":
        target = await confluence.blogposts.get(ref.id)
        comment = await confluence.footer_comments.create(storage, blogpost_id=ref.id)
    else:
        target = await confluence.pages.get(ref.id)
        comment = await confluence.footer_comments.create(storage, page_id=ref.id)
    return target, comment
