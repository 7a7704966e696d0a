"""Recognise Confluence page and blog post URLs (the forms users paste into Slack).

URLs are parsed as browsers parse them (the WHATWG URL Standard, through ada-url, the parser
Node.js uses), not with urllib: `https://evil.com\\@acme.atlassian.net/…` opens evil.com in a
browser (a backslash is a path separator in http(s) URLs), whereas urllib reads the host as
acme.atlassian.net. A link that carries a user name or password is refused outright.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from ada_url import parse_url

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


@dataclass(frozen=True)
class WebUrl:
    """An http(s) URL as a browser reads it: lower-case scheme and host, `port` None for the
    scheme's default, `path` with backslashes and dot segments resolved, `query` without "?"."""

    scheme: Literal["http", "https"]
    host: str
    port: int | None
    path: str
    query: str

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}" + (f":{self.port}" if self.port is not None else "")


def parse_web_url(url: str) -> WebUrl | None:
    """`url` parsed per the WHATWG URL Standard; None unless it is an absolute http(s) URL with a
    host and no user name or password."""
    try:
        parts = parse_url(url.strip())
    except ValueError:
        return None
    scheme = parts["protocol"].removesuffix(":")
    if scheme not in ("http", "https") or not parts["hostname"]:
        return None
    if parts["username"] or parts["password"]:
        return None
    return WebUrl(
        scheme="https" if scheme == "https" else "http",
        host=parts["hostname"],
        port=int(parts["port"]) if parts["port"] else None,
        path=parts["pathname"],
        query=parts["search"].removeprefix("?"),
    )


def parse_content_url(url: str, *, site_url: str | None = None) -> ContentRef | None:
    """The page or blog post a URL points at, or None. With `site_url`, other hosts are refused."""
    parts = parse_web_url(url.strip().strip("<>").split("|", 1)[0])
    if parts is None:
        return None
    if site_url is not None:
        site = parse_web_url(site_url)
        if site is None or parts.host != site.host:
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


def is_lookalike(target: str) -> bool:
    """Whether a link reads differently to a browser than it looks
    (`https://evil.com\\@acme.atlassian.net/…`, `https://user:pw@…`); `target` as typed or as
    Slack sends it (`<url|label>`)."""
    text = target.strip().strip("<>").split("|", 1)[0]
    try:
        lax = urlsplit(text)
    except ValueError:
        return False
    if lax.scheme.lower() not in ("http", "https"):
        return False
    parsed = parse_web_url(text)
    return parsed is None or "@" in lax.netloc or parsed.host != (lax.hostname or "").lower()
