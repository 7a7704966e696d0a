import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest import BlogPost, DigestMessage, SpacePosts, compose_digest
from tests.shared_specs import BLOCK_KIT_SCHEMA, missing

NOW = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
SITE = "https://example.atlassian.net/wiki"


def post(title: str, hours_ago: float, *, author: str = "Ana", excerpt: str = "") -> BlogPost:
    return BlogPost(
        title=title,
        url=f"{SITE}/spaces/X/blog/{abs(hash(title))}",
        author=author,
        created_at=NOW - timedelta(hours=hours_ago),
        excerpt=excerpt,
    )


def space(key: str, *posts: BlogPost, name: str | None = None) -> SpacePosts:
    return SpacePosts(key, name or f"{key} space", f"{SITE}/spaces/{key}/blog", posts)


def texts(message: DigestMessage) -> list[str]:
    out = []
    for block in message.blocks:
        if block["type"] in ("section", "header"):
            out.append(block["text"]["text"])
        elif block["type"] == "context":
            out.append(block["elements"][0]["text"])
    return out


def post_sections(message: DigestMessage) -> list[str]:
    return [t for t in texts(message) if "\nby " in t or "\n<!date^" in t]


def compose(spaces: list[SpacePosts], **kwargs: Any) -> DigestMessage:
    message = compose_digest(spaces, now=NOW, **kwargs)
    assert message is not None
    return message


def test_nothing_new_gives_no_message() -> None:
    assert compose_digest([], now=NOW) is None
    assert compose_digest([space("ENG"), space("OPS")], now=NOW) is None


def test_groups_by_space_newest_first() -> None:
    message = compose(
        [
            space("OPS", post("ops old", 30), post("ops new", 1), name="Operations"),
            space("ENG", post("eng mid", 5), post("eng newest", 0.5), post("eng old", 50)),
            space("EMPTY"),
        ]
    )
    body = texts(message)
    assert message.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Confluence digest", "emoji": True},
    }
    assert body[1].startswith("*5 new blog posts* · <!date^1774861200^{date_long_pretty}|")
    assert body[2] == f"*<{SITE}/spaces/ENG/blog|ENG space>* (ENG) · 3 new blog posts"
    assert [re.search(r"\|(.*?)>\*", t)[1] for t in body[3:6]] == [  # type: ignore[index]
        "eng newest",
        "eng mid",
        "eng old",
    ]
    assert body[6] == f"*<{SITE}/spaces/OPS/blog|Operations>* (OPS) · 2 new blog posts"
    assert "ops new" in body[7]
    assert "ops old" in body[8]
    assert len(message.blocks) == 9
    assert "EMPTY" not in json.dumps(message.blocks)
    assert message.text == "5 new blog posts in ENG, OPS"
    assert message.post_count == 5


def test_post_section_has_link_author_date_and_excerpt() -> None:
    blog = BlogPost(
        title="Release notes",
        url=f"{SITE}/spaces/ENG/blog/2026/03/30/42",
        author="Ana Lima",
        created_at=datetime(2026, 3, 30, 7, 5, tzinfo=UTC),
        excerpt="  What's new\n\nin   this release  ",
    )
    message = compose([space("ENG", blog)])
    assert post_sections(message) == [
        f"*<{SITE}/spaces/ENG/blog/2026/03/30/42|Release notes>*\n"
        "by Ana Lima · <!date^1774854300^{date_short_pretty} at {time}|2026-03-30 07:05 UTC>\n"
        ">What's new in this release"
    ]
    assert message.text == "1 new blog post in ENG"


def test_user_text_is_escaped() -> None:
    blog = BlogPost(
        title="A <b> & C | D > E",
        url=f"{SITE}/x?a=1&b=<2>|3 4",
        author="<!channel> & co",
        created_at=NOW,
        excerpt="<@U123> said 1 < 2 & 3 > 2",
    )
    message = compose([space("ENG", blog, name="R&D <team> | core")])
    heading, section = texts(message)[2], post_sections(message)[0]
    assert "|R&amp;D &lt;team&gt; ｜ core>*" in heading
    assert section.startswith(
        f"*<{SITE}/x?a=1&amp;b=%3C2%3E%7C3%204|A &lt;b&gt; &amp; C ｜ D &gt; E>*\n"
    )
    assert "by &lt;!channel&gt; &amp; co · " in section
    assert section.endswith("\n>&lt;@U123&gt; said 1 &lt; 2 &amp; 3 &gt; 2")
    # No unescaped control characters survive from user text.
    assert "<!channel>" not in json.dumps(message.blocks)
    assert "<@U123>" not in json.dumps(message.blocks)


def test_missing_author_and_title() -> None:
    message = compose([space("ENG", post("", 1, author=" "))])
    section = post_sections(message)[0]
    assert "|(untitled)>*" in section
    assert "by " not in section


def test_long_text_is_clipped_to_slack_limits() -> None:
    blog = post("T" * 5000, 1, author="A" * 5000, excerpt="word " * 2000)
    message = compose([space("ENG", blog, name="N" * 5000)])
    for block in message.blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        elif block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
    section = post_sections(message)[0]
    excerpt = section.split("\n>", 1)[1]
    assert excerpt.endswith("…")
    assert len(excerpt) <= 200


def test_absurdly_long_url_drops_the_link_but_keeps_the_title() -> None:
    blog = BlogPost("Title", SITE + "/" + "x" * 4000, "Ana", NOW)
    section = post_sections(compose([space("ENG", blog)]))[0]
    assert section.startswith("*Title*\n")
    assert len(section) <= 3000


def test_too_many_posts_in_one_space_end_with_and_n_more() -> None:
    posts = [post(f"p{i}", i) for i in range(60)]
    message = compose([space("ENG", *posts)])
    assert len(message.blocks) == 50
    shown = post_sections(message)
    assert len(shown) == 46  # header + context + space heading + "more" line
    assert "|p0>*" in shown[0]
    assert "|p45>*" in shown[-1]
    assert texts(message)[-1] == f"…<{SITE}/spaces/ENG/blog|and 14 more in ENG>"
    assert message.post_count == 60
    assert message.text == "60 new blog posts in ENG"


def test_many_spaces_all_keep_their_heading() -> None:
    spaces = [space(f"S{i}", *(post(f"s{i}p{j}", i + j / 10) for j in range(3))) for i in range(30)]
    message = compose(spaces)
    assert len(message.blocks) <= 50
    body = "\n".join(texts(message))
    for i in range(30):
        assert f"({'S' + str(i)}) · 3 new blog posts" in body
    assert message.text == "90 new blog posts in S0, S1, S2, S3, S4 and 25 more"


def test_more_spaces_than_blocks_are_summarised() -> None:
    spaces = [space(f"S{i}", post(f"s{i}", i), post(f"s{i}b", i + 0.5)) for i in range(60)]
    message = compose(spaces)
    assert len(message.blocks) == 50
    body = texts(message)
    assert body[-1].startswith(f"…and 26 new blog posts in <{SITE}/spaces/S47/blog|S47>, <")
    assert body[-1].endswith("|S59>")
    assert message.post_count == 120


@pytest.mark.parametrize("max_blocks", [3, 4, 5, 10])
def test_max_blocks_is_respected(max_blocks: int) -> None:
    spaces = [space("ENG", *(post(f"e{i}", i) for i in range(5))), space("OPS", post("o", 9))]
    message = compose(spaces, max_blocks=max_blocks)
    assert len(message.blocks) <= max_blocks


def test_invalid_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="max_blocks"):
        compose_digest([space("ENG", post("a", 1))], now=NOW, max_blocks=51)
    with pytest.raises(ValueError, match="timezone-aware"):
        compose_digest([space("ENG", post("a", 1))], now=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="absolute"):
        BlogPost("t", "/wiki/spaces/ENG/blog/1", "a", NOW)
    with pytest.raises(ValueError, match="absolute"):
        SpacePosts("ENG", "Eng", "/wiki/spaces/ENG/blog")
    with pytest.raises(ValueError, match="timezone-aware"):
        BlogPost("t", SITE, "a", datetime(2026, 1, 1))


@settings(deadline=None)
@given(
    counts=st.lists(st.integers(0, 40), min_size=1, max_size=40),
    max_blocks=st.integers(3, 50),
)
def test_every_post_is_shown_or_counted(counts: list[int], max_blocks: int) -> None:
    spaces = [
        space(f"S{i}", *(post(f"s{i}p{j}", i * 100 + j) for j in range(n)))
        for i, n in enumerate(counts)
    ]
    message = compose_digest(spaces, now=NOW, max_blocks=max_blocks)
    if sum(counts) == 0:
        assert message is None
        return
    assert message is not None
    assert len(message.blocks) <= max_blocks
    body = texts(message)
    shown = len(post_sections(message))
    more = sum(int(n) for t in body for n in re.findall(r"\|and (\d+) more in ", t))
    hidden = sum(int(n) for t in body for n in re.findall(r"^…and (\d+) new blog post", t))
    hidden += sum(int(n) for t in body[2:] for n in re.findall(r"^(\d+) new blog post", t))
    headed = sum(
        len(s.posts)
        for s in spaces
        if any(t.startswith(f"*<{s.blog_url}|") and f"{len(s.posts)} new" in t for t in body)
        and not any(f"|{s.space_key.lower()}p" in t for t in post_sections(message))
    )
    assert shown + more + hidden + headed == sum(counts)
    assert message.post_count == sum(counts)


def _block_kit_schema() -> dict[str, Any]:
    if not BLOCK_KIT_SCHEMA.is_file():
        pytest.skip(missing("the Block Kit JSON schema", BLOCK_KIT_SCHEMA))
    schema: dict[str, Any] = json.loads(BLOCK_KIT_SCHEMA.read_text())
    return schema


def test_blocks_validate_against_the_block_kit_schema() -> None:
    import jsonschema  # type: ignore[import-untyped]

    schema = _block_kit_schema()
    spaces = [space(f"S{i}", *(post(f"s{i}p{j} <&|>", i + j) for j in range(4))) for i in range(8)]
    spaces.append(space("ENG", post("T" * 5000, 1, author="A" * 500, excerpt="x" * 9000)))
    message = compose(spaces)
    jsonschema.validate(message.blocks, schema)
    many = compose([space(f"S{i}", post(f"p{i}", i)) for i in range(80)])
    jsonschema.validate(many.blocks, schema)


def test_spaces_left_out_of_a_full_summary_are_counted_with_the_right_noun() -> None:
    from bot.digest.compose import SECTION_TEXT_LIMIT, SpacePosts, _hidden_summary

    url = "https://acme.atlassian.net/wiki/spaces/" + "X" * 1400 + "/blog"
    spaces = [SpacePosts(f"K{i}", f"Space {i}", url) for i in range(3)]
    summary = _hidden_summary(spaces, others_shown=False)
    assert len(summary) <= SECTION_TEXT_LIMIT
    assert summary.endswith(" and 1 more space"), summary[-40:]
