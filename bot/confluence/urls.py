"""Recognise Confluence page and blog post URLs (the forms users paste into Slack)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlsplit

_PAGE = re.compile(r"^/wiki/spaces/(?P<key>[^/]+)/pages/(?:edit-v2/)?(?P<id>[0-9]+)(?:/.*)?$")
_BLOG = re.compile(
    r"^/wiki/spaces/(?P<key>[^/]+)/blog/[0-9]{4}/[0-9]{2}/[0-9]{2}/(?P<id>[0-9]+)(?:/.*)?$"
)
_VIEWPAGE = "/wiki/pages/viewpage.action"


def _is_id(text: str) -> bool:
    # str.isdigit() also accepts "²" and Arabic-Indic digits.
    return text.isascii() and text.isdigit()


@dataclass(frozen=True)
class ContentRef:
    kind: Literal["page", "blogpost"]
    id: str
    space_key: str | None = None


def parse_content_url(url: str, *, site_url: str | None = None) -> ContentRef | None:
    """The page or blog post a URL points at, or None. With `site_url`, other hosts are refused."""
    try:
        parts = urlsplit(url.strip().strip("<>").split("|", 1)[0])
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    if site_url is not None:
        site_host = urlsplit(site_url).hostname
        if site_host is None or parts.hostname.lower() != site_host.lower():
            return None
    path = parts.path
    if match := _PAGE.match(path):
        return ContentRef("page", match["id"], match["key"])
    if match := _BLOG.match(path):
        return ContentRef("blogpost", match["id"], match["key"])
    if path == _VIEWPAGE:
        ids = parse_qs(parts.query).get("pageId")
        if ids and _is_id(ids[0]):
            return ContentRef("page", ids[0])
    return None


def parse_page_reference(text: str, *, site_url: str | None = None) -> ContentRef | None:
    """A page from a URL (any form above) or a bare numeric id."""
    text = text.strip().strip("<>").split("|", 1)[0]
    if _is_id(text):
        return ContentRef("page", text)
    return parse_content_url(text, site_url=site_url)
