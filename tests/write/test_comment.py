"""Comments: which page a message or link points at, and the comment use case."""

from __future__ import annotations

import pytest

from bot.confluence import NotFound
from bot.confluence.urls import ContentRef
from bot.write import CommentRequest, ForeignLink, NotAllowed
from bot.write.comment import (
    foreign_hosts,
    is_lookalike,
    linked_content,
    parse_ref_value,
    ref_value,
)
from tests.write.conftest import OTHER, TEAM, USER, World

SITE = "https://acme.atlassian.net"


def test_ref_values_keep_the_kind_and_refuse_junk() -> None:
    page, blog = ContentRef("page", "42"), ContentRef("blogpost", "43")
    assert parse_ref_value(ref_value(page)) == page
    assert parse_ref_value(ref_value(blog)) == blog
    assert ref_value(blog) == "blogpost:43"
    for junk in ("", "abc", "blogpost:", "page:1", "blogpost:x"):
        assert parse_ref_value(junk) is None


def test_foreign_links_are_named() -> None:
    assert foreign_hosts("123", SITE) is None
    assert foreign_hosts(f"{SITE}/wiki/spaces/ENG/pages/1", SITE) is None
    hosts = foreign_hosts("https://other.atlassian.net/wiki/spaces/X/pages/1", SITE)
    assert hosts == ("other.atlassian.net", "acme.atlassian.net")


@pytest.mark.parametrize(
    ("target", "lookalike"),
    [
        ("https://evil.com\\@acme.atlassian.net/wiki/spaces/ENG/pages/1/X", True),
        ("https://someone:pw@acme.atlassian.net/wiki/spaces/ENG/pages/1/X", True),
        ("<https://acme.atlassian.net/wiki/spaces/ENG/pages/1/X|the page>", False),
        ("123", False),
        ("not-a-page", False),
    ],
)
def test_lookalike_links_are_told_apart(target: str, lookalike: bool) -> None:
    assert is_lookalike(target) is lookalike


def test_linked_content() -> None:
    """Split from test_linked_content_and_prefill (prefill is tests/slack/write/test_views.py's)."""
    message = {
        "text": "see <https://acme.atlassian.net/wiki/spaces/ENG/pages/42/Deploy+notes|x> &amp; go",
        "blocks": [],
    }
    ref, title = linked_content(message, SITE) or (None, "")
    assert ref is not None and (ref.id, title) == ("42", "Deploy notes")
    assert linked_content(message, None) is None  # site unknown: nothing preselected
    assert linked_content(message, "https://other.atlassian.net") is None  # not our site
    assert linked_content({"text": "https://example.com/nope"}, SITE) is None
    rich = {
        "blocks": [
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [
                            {
                                "type": "link",
                                "url": "https://acme.atlassian.net/wiki/pages/viewpage.action?pageId=7",
                            }
                        ],
                    }
                ],
            }
        ]
    }
    found = linked_content(rich, SITE)
    assert found is not None and found[0].id == "7" and found[1] == "Page 7"


def _request(ref: ContentRef, text: str, **changes: object) -> CommentRequest:
    fields: dict[str, object] = {
        "team_id": TEAM,
        "user_id": USER,
        "user_name": "someone",
        "ref": ref,
        "text": text,
        "slack_escaped": False,
    }
    return CommentRequest(**{**fields, **changes})  # type: ignore[arg-type]


async def test_a_comment_names_people_and_carries_the_attribution(world: World) -> None:
    page = world.confluence.add_page("ENG", "Runbook")
    target = await world.write.comment(
        _request(ContentRef("page", str(page["id"])), f"nice *work* <@{OTHER}> &amp; more")
    )
    assert target.id == page["id"] and target.title == "Runbook"
    (comment,) = world.confluence.by_kind["footer"].values()
    assert comment.data["pageId"] == page["id"]
    assert "<strong>work</strong>" in comment.storage and "@Other Person" in comment.storage
    assert "&amp;amp; more" in comment.storage  # typed in a modal: "&amp;" is what they typed
    assert "Posted from Slack by someone" in comment.storage


async def test_a_comment_typed_in_a_message_decodes_slacks_escaping(world: World) -> None:
    post = world.confluence.add_blogpost("ENG", "Release notes")
    ref = ContentRef("blogpost", str(post["id"]))
    await world.write.comment(_request(ref, "a &amp; b", slack_escaped=True))
    (comment,) = world.confluence.by_kind["footer"].values()
    assert comment.data["blogPostId"] == post["id"] and "a &amp; b" in comment.storage


async def test_a_link_to_another_site_is_refused_before_anything_is_written(
    world: World,
) -> None:
    page = world.confluence.add_page("ENG", "Ours")
    elsewhere = f"https://other.atlassian.net/wiki/spaces/X/pages/{page['id']}/Theirs"
    req = _request(ContentRef("page", str(page["id"])), "hello", link=elsewhere)
    with pytest.raises(ForeignLink) as info:
        await world.write.comment(req)
    assert (info.value.host, info.value.site_host) == ("other.atlassian.net", "acme.atlassian.net")
    assert world.confluence.by_kind.get("footer", {}) == {}


async def test_a_missing_page_gets_no_comment(world: World) -> None:
    with pytest.raises(NotFound):
        await world.write.comment(_request(ContentRef("page", "999999"), "hi"))
    assert "footer" not in world.confluence.by_kind


async def test_a_user_who_may_not_act_is_refused_before_confluence(world: World) -> None:
    world.access.refusal = "Connect first."
    with pytest.raises(NotAllowed):
        await world.write.comment(_request(ContentRef("page", "1"), "hi"))
    assert world.confluence.requests == []
