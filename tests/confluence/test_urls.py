"""Confluence page/blog post URLs in the forms users paste into Slack."""

from __future__ import annotations

import pytest

from bot.confluence.urls import ContentRef, parse_content_url, parse_page_reference, parse_web_url

SITE = "https://acme.atlassian.net"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{SITE}/wiki/spaces/ENG/pages/123/Release+Notes", ContentRef("page", "123", "ENG")),
        (f"{SITE}/wiki/spaces/ENG/pages/123", ContentRef("page", "123", "ENG")),
        (f"{SITE}/wiki/spaces/ENG/pages/123/", ContentRef("page", "123", "ENG")),
        (
            f"{SITE}/wiki/spaces/ENG/pages/123/Title?focusedCommentId=9#comment-9",
            ContentRef("page", "123", "ENG"),
        ),
        (f"{SITE}/wiki/spaces/ENG/pages/edit-v2/456", ContentRef("page", "456", "ENG")),
        (
            f"{SITE}/wiki/spaces/ENG/blog/2024/05/17/789/Quarterly+update",
            ContentRef("blogpost", "789", "ENG"),
        ),
        (f"{SITE}/wiki/spaces/ENG/blog/2024/05/17/789", ContentRef("blogpost", "789", "ENG")),
        (f"{SITE}/wiki/spaces/~jdoe/pages/42/Notes", ContentRef("page", "42", "~jdoe")),
        (f"{SITE}/wiki/pages/viewpage.action?pageId=321", ContentRef("page", "321")),
        (
            f"{SITE}/wiki/pages/viewpage.action?spaceKey=ENG&pageId=321&x=1",
            ContentRef("page", "321"),
        ),
        ("http://wiki.internal/wiki/spaces/ENG/pages/5", ContentRef("page", "5", "ENG")),
        (f"  {SITE}/wiki/spaces/ENG/pages/123  ", ContentRef("page", "123", "ENG")),
    ],
)
def test_url_forms(url: str, expected: ContentRef) -> None:
    assert parse_content_url(url) == expected


def test_slack_angle_brackets_are_removed() -> None:
    assert parse_content_url(f"<{SITE}/wiki/spaces/ENG/pages/123>") == ContentRef(
        "page", "123", "ENG"
    )


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "ftp://acme.atlassian.net/wiki/spaces/ENG/pages/123",
        "mailto:someone@acme.com",
        "https:///wiki/spaces/ENG/pages/123",
        "/wiki/spaces/ENG/pages/123",
        f"{SITE}/wiki/spaces/ENG/pages/abc",
        f"{SITE}/wiki/spaces/ENG/overview",
        f"{SITE}/wiki/spaces/ENG/pages",
        f"{SITE}/wiki/spaces/ENG/blog/2024/05/789",
        f"{SITE}/wiki/spaces/ENG/blog/24/05/17/789",
        f"{SITE}/wiki/pages/viewpage.action",
        f"{SITE}/wiki/pages/viewpage.action?pageId=",
        f"{SITE}/wiki/pages/viewpage.action?pageId=12x",
        f"{SITE}/wiki/pages/viewpage.action?pageid=12",
        f"{SITE}/spaces/ENG/pages/123",
        f"{SITE}/wiki/x/AbCdEf",
        "https://[::1/wiki/spaces/ENG/pages/1",
    ],
)
def test_garbage_is_none(url: str) -> None:
    assert parse_content_url(url) is None


def test_same_host_accepted_when_site_given() -> None:
    ref = parse_content_url(f"{SITE}/wiki/spaces/ENG/pages/1", site_url=f"{SITE}/wiki")
    assert ref == ContentRef("page", "1", "ENG")


def test_host_comparison_ignores_case() -> None:
    url = "https://ACME.Atlassian.NET/wiki/spaces/ENG/pages/1"
    assert parse_content_url(url, site_url=SITE) == ContentRef("page", "1", "ENG")


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/wiki/spaces/ENG/pages/1",
        "https://acme.atlassian.net.evil.example/wiki/spaces/ENG/pages/1",
        "https://other.atlassian.net/wiki/spaces/ENG/pages/1",
        # userinfo trick: the host is evil.example
        "https://acme.atlassian.net@evil.example/wiki/spaces/ENG/pages/1",
    ],
)
def test_foreign_hosts_refused_when_site_given(url: str) -> None:
    assert parse_content_url(url, site_url=SITE) is None
    assert parse_page_reference(url, site_url=SITE) is None


def test_foreign_hosts_accepted_without_site() -> None:
    assert parse_content_url("https://other.atlassian.net/wiki/spaces/ENG/pages/1") is not None


def test_site_without_host_refuses_everything() -> None:
    assert parse_content_url(f"{SITE}/wiki/spaces/ENG/pages/1", site_url="not a url") is None


@pytest.mark.parametrize("text", ["123", " 123 ", "<123>"])
def test_page_reference_bare_id(text: str) -> None:
    assert parse_page_reference(text) == ContentRef("page", "123")


def test_page_reference_id_ignores_site() -> None:
    assert parse_page_reference("123", site_url=SITE) == ContentRef("page", "123")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"<{SITE}/wiki/spaces/ENG/pages/123/Title|Title>", ContentRef("page", "123", "ENG")),
        (f"<{SITE}/wiki/spaces/ENG/pages/123|label>", ContentRef("page", "123", "ENG")),
        (f"<{SITE}/wiki/spaces/ENG/pages/edit-v2/9|edit>", ContentRef("page", "9", "ENG")),
        (f"<{SITE}/wiki/pages/viewpage.action?pageId=7|old>", ContentRef("page", "7")),
        (
            f"<{SITE}/wiki/spaces/ENG/blog/2024/01/02/8/Slug|Blog>",
            ContentRef("blogpost", "8", "ENG"),
        ),
        (f"<{SITE}/wiki/spaces/ENG/pages/123>", ContentRef("page", "123", "ENG")),
    ],
)
def test_page_reference_from_slack_link(text: str, expected: ContentRef) -> None:
    assert parse_page_reference(text, site_url=SITE) == expected


@pytest.mark.parametrize("text", ["", "abc", "12 34", "-5", "1.5", "<|label>", "page 123"])
def test_page_reference_garbage(text: str) -> None:
    assert parse_page_reference(text) is None


@pytest.mark.parametrize(
    "text",
    [
        f"<{SITE}/wiki/spaces/ENG/pages/123|label>",
        f"<{SITE}/wiki/spaces/ENG/pages/edit-v2/123|label>",
        f"<{SITE}/wiki/pages/viewpage.action?pageId=123|label>",
    ],
)
def test_content_url_from_slack_link_with_label(text: str) -> None:
    ref = parse_content_url(text)
    assert ref is not None and ref.id == "123"


@pytest.mark.parametrize("text", ["²", "١٢٣", f"{SITE}/wiki/spaces/ENG/pages/١٢٣"])
def test_only_ascii_digits_are_ids(text: str) -> None:
    assert parse_page_reference(text) is None


@pytest.mark.parametrize(
    "url",
    [
        # Browsers read a backslash as "/" in http(s) URLs: the host is evil.com.
        "https://evil.com\\@acme.atlassian.net/wiki/spaces/ENG/pages/1/X",
        "https://evil.com\\\\@acme.atlassian.net/wiki/spaces/ENG/pages/1/X",
        "https://evil.com\\.acme.atlassian.net/wiki/spaces/ENG/pages/1",
        # Any userinfo is refused, even with our host after the @.
        "https://user@acme.atlassian.net/wiki/spaces/ENG/pages/1",
        "https://user:pw@acme.atlassian.net/wiki/spaces/ENG/pages/1",
        "https://evil.com%5C@acme.atlassian.net/wiki/spaces/ENG/pages/1",
    ],
)
def test_lookalike_links_are_refused(url: str) -> None:
    assert parse_content_url(url, site_url=SITE) is None
    assert parse_content_url(url) is None
    assert parse_page_reference(url, site_url=SITE) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Parsed as a browser would, these do lead to our page.
        (f"{SITE}\\wiki\\spaces\\ENG\\pages\\12", ContentRef("page", "12", "ENG")),
        ("HTTPS://%61cme.atlassian.net/wiki/spaces/ENG/pages/12", ContentRef("page", "12", "ENG")),
        (
            "https://acme.atlassian.net:443/wiki/spaces/ENG/pages/12",
            ContentRef("page", "12", "ENG"),
        ),
        (f"{SITE}/wiki/spaces/ENG/blog/../pages/12", ContentRef("page", "12", "ENG")),
    ],
)
def test_links_are_read_as_browsers_read_them(url: str, expected: ContentRef) -> None:
    assert parse_content_url(url, site_url=SITE) == expected


def test_web_url_parts() -> None:
    parts = parse_web_url("HTTP://Files.Slack.com:8080\\a\\b?x=1#f")
    assert parts is not None
    assert (parts.scheme, parts.host, parts.port, parts.path, parts.query) == (
        "http",
        "files.slack.com",
        8080,
        "/a/b",
        "x=1",
    )
    assert parts.origin == "http://files.slack.com:8080"
    assert parse_web_url("https://u@x.test/") is None
    assert parse_web_url("not a url") is None
    assert parse_web_url("mailto:a@b.test") is None
    default = parse_web_url("https://x.test:443/")
    assert default is not None and default.port is None and default.origin == "https://x.test"
