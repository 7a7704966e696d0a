"""Link previews: valid blocks showing kind, space, author and date, with text escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.slack.unfurl_view import unfurl_blocks
from tests.fakes.slack_fake import validate_blocks, validate_unfurls

URL = "https://acme.atlassian.net/wiki/spaces/ENG/pages/123/Release+notes"
WHEN = datetime(2024, 5, 17, 9, 30, tzinfo=UTC)


def blocks(**overrides: Any) -> list[dict[str, Any]]:
    fields: dict[str, Any] = {
        "url": URL,
        "title": "Release notes",
        "kind": "Page",
        "space": "Engineering",
        "author": "Ada Lovelace",
        "updated": WHEN,
        "excerpt": "What *changed* in May",
    }
    fields.update(overrides)
    return unfurl_blocks(**fields)


def texts(built: list[dict[str, Any]]) -> tuple[str, str]:
    section, context = built
    assert section["type"] == "section" and context["type"] == "context"
    return section["text"]["text"], context["elements"][0]["text"]


def test_full_preview() -> None:
    built = blocks()
    assert validate_blocks(built) == []
    assert validate_unfurls({URL: {"blocks": built}}) == []
    body, meta = texts(built)
    assert body == f"*<{URL}|Release notes>*\nWhat *changed* in May"
    assert meta == "Page · Engineering · by Ada Lovelace · updated 2024-05-17"


def test_blog_post_kind() -> None:
    _, meta = texts(blocks(kind="Blog post"))
    assert meta.startswith("Blog post · ")


def test_optional_parts_are_left_out() -> None:
    built = blocks(space=None, author=None, updated=None, excerpt="")
    assert validate_blocks(built) == []
    body, meta = texts(built)
    assert body == f"*<{URL}|Release notes>*"
    assert meta == "Page"


def test_untitled() -> None:
    body, _ = texts(blocks(title=""))
    assert f"<{URL}|(untitled)>" in body


def test_title_space_and_author_are_escaped() -> None:
    body, meta = texts(blocks(title="R&D <!channel>", space="Q&A <ops>", author="<@U1> & co"))
    assert "R&amp;D &lt;!channel&gt;" in body
    assert "Q&amp;A &lt;ops&gt;" in meta
    assert "by &lt;@U1&gt; &amp; co" in meta
    assert "<!channel>" not in body + meta and "<@U1>" not in meta


def test_huge_content_is_cut_to_valid_blocks() -> None:
    built = blocks(
        title="T" * 5000,
        space="S" * 5000,
        author="A" * 5000,
        excerpt="&amp; " * 2000,
        url=URL + "/" + "x" * 2000,
    )
    assert validate_blocks(built) == []
    body, meta = texts(built)
    assert body.endswith("…") and meta.endswith("…")
