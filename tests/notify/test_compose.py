"""Channel messages (pure): what each kind says, links, escaping, limits."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.notify.compose import Story, compose, compose_gap, diff_url, person
from bot.notify.events import PageRef
from tests.notify.activity import BOB, SITE, T0, comment, event, hit

ADA_MENTION = person("Ada Lovelace", "U0ADA")


def text_of(message: object) -> str:
    return json.dumps(message.blocks)  # type: ignore[attr-defined]


def test_a_new_page_names_title_space_author_parent_and_excerpt() -> None:
    page = event(
        hit(
            "100",
            parent=PageRef("1", "Handbook", f"{SITE}/spaces/ENG/pages/1"),
            excerpt="How we deploy on Fridays",
        )
    )
    message = compose(page, Story.of(page), ADA_MENTION)
    first = message.blocks[0]["text"]["text"]
    assert first == (
        f":page_facing_up: New page *<{SITE}/spaces/ENG/pages/100|Title 100>* in *Engineering* by <@U0ADA>\n"
        f"Under <{SITE}/spaces/ENG/pages/1|Handbook>"
    )
    assert message.blocks[1]["text"]["text"] == ">How we deploy on Fridays"
    assert message.text == "New page Title 100 by <@U0ADA>"
    assert "<!date^" in message.blocks[-1]["elements"][0]["text"]


def test_an_update_says_who_which_versions_why_and_links_the_diff() -> None:
    update = event(hit("200", version=5, created=-timedelta(days=1), message="fix numbers", by=BOB))
    story = Story.of(update).since(3)
    message = compose(update, story, person(BOB.name, None))
    first = message.blocks[0]["text"]["text"]
    assert first.startswith(":pencil2: *Bob &lt;Builder&gt;* updated *<")
    assert "(versions 4–5)" in first and "“fix numbers”" in first
    diff = diff_url(SITE, "200", 3, 5)
    assert diff == (
        f"{SITE}/pages/diffpagesbyversion.action?pageId=200"
        "&selectedPageVersions=3&selectedPageVersions=5"
    )
    assert f"<{diff.replace('&', '&amp;')}|View the changes>" in first
    assert message.text == "Bob <Builder> updated Title 200 (versions 4–5)"


def test_folded_edits_keep_every_message_and_the_first_version() -> None:
    first = event(hit("200", version=2, created=-timedelta(days=1), message="one"))
    second = event(hit("200", version=3, created=-timedelta(days=1), message="two"))
    story = Story.of(first).folded(second)
    assert (story.first_version, story.last_version, story.messages) == (2, 3, ("one", "two"))
    assert Story.from_data(story.data()) == story
    text = compose(second, story, ADA_MENTION).blocks[0]["text"]["text"]
    assert "(versions 2–3)" in text and "“one”; “two”" in text
    assert "selectedPageVersions=1&amp;selectedPageVersions=3" in text


def test_a_creation_with_later_edits_says_the_version() -> None:
    created = event(hit("100"))
    story = Story.of(created).folded(
        event(hit("100", version=3, at=timedelta(minutes=2), created=timedelta()))
    )
    assert story.kind == "created"
    assert "Edited since: now version 3" in text_of(compose(created, story, ADA_MENTION))


def test_a_comment_says_on_which_page_and_links_the_comment() -> None:
    note = event(comment("c1", on="100", excerpt="Looks good", inline_selection="deploy <fast>"))
    message = compose(note, Story.of(note), ADA_MENTION)
    first = message.blocks[0]["text"]["text"]
    assert first.startswith(":speech_balloon: <@U0ADA> commented on *<")
    assert "|Title 100>*" in first and "On “deploy &lt;fast&gt;”" in first
    assert message.blocks[1]["text"]["text"] == ">Looks good"
    assert "focusedCommentId=c1|View the comment>" in message.blocks[2]["elements"][0]["text"]


def test_titles_cannot_break_links_and_long_text_is_clipped() -> None:
    page = event(hit("100", title="A|B <x> " + "y" * 500, excerpt="z" * 2000))
    message = compose(page, Story.of(page), ADA_MENTION)
    first = message.blocks[0]["text"]["text"]
    assert "A\N{FULLWIDTH VERTICAL LINE}B &lt;x&gt;" in first and "<x>" not in first
    assert len(message.blocks[1]["text"]["text"]) <= 241
    assert all(len(b["text"]["text"]) <= 3000 for b in message.blocks if b["type"] == "section")


def test_a_gap_is_one_message_with_its_count() -> None:
    gap = compose_gap("ENG", "Engineering", T0 - timedelta(days=3), T0, 250, True)
    assert "250+ changes" in gap.text and len(gap.blocks) == 1
    assert "were not running from <!date^" in gap.blocks[0]["text"]["text"]
    assert compose_gap("ENG", "", T0, T0, 1, False).text.startswith("1 change in ENG")
