"""Search result cards: highlights, escaping, button values within Slack's limits, valid blocks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.confluence import SearchResult
from bot.confluence.cql import HL_END, HL_START
from bot.slack.search_view import (
    BUTTON_VALUE_LIMIT,
    MORE_ACTION,
    SHARE_ACTION,
    ResultCard,
    card_blocks,
    card_from_result,
    more_value,
    results_message,
    shared_message,
)
from tests.fakes.slack_fake import validate_blocks

BASE = "https://acme.atlassian.net/wiki"


def hl(text: str) -> str:
    return f"{HL_START}{text}{HL_END}"


def result(
    *,
    title: str = "Release notes",
    excerpt: str = "",
    kind: str | None = "page",
    space: str | None = "Engineering",
    webui: str = "/spaces/ENG/pages/123/Release+notes",
    modified: str | None = "2024-05-01T10:00:00.000Z",
) -> SearchResult:
    data: dict[str, Any] = {
        "content": {"id": "123", "type": kind, "_links": {"webui": webui}},
        "title": title,
        "excerpt": excerpt,
        "lastModified": modified,
    }
    if space is not None:
        data["resultGlobalContainer"] = {"title": space, "displayUrl": "/spaces/ENG"}
    found = SearchResult.model_validate(data)
    found.with_base(BASE)
    return found


def card(**overrides: str) -> ResultCard:
    fields = {
        "url": f"{BASE}/spaces/ENG/pages/123/Release+notes",
        "title": "Release notes",
        "space": "Engineering",
        "kind": "Page",
        "modified": "2024-05-01",
        "excerpt": "What *changed* in May",
    }
    fields.update(overrides)
    return ResultCard(**fields)


def block_text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


# --------------------------------------------------------------------------- card_from_result


def test_card_fields() -> None:
    made = card_from_result(result(excerpt="plain words"))
    assert made == ResultCard(
        url=f"{BASE}/spaces/ENG/pages/123/Release+notes",
        title="Release notes",
        space="Engineering",
        kind="Page",
        modified="2024-05-01",
        excerpt="plain words",
    )


@pytest.mark.parametrize(
    ("kind", "shown"),
    [("page", "Page"), ("blogpost", "Blog post"), ("attachment", "Attachment"), (None, "")],
)
def test_kind_names(kind: str | None, shown: str) -> None:
    assert card_from_result(result(kind=kind)).kind == shown


def test_missing_space_and_date_are_empty() -> None:
    made = card_from_result(result(space=None, modified=None))
    assert (made.space, made.modified) == ("", "")


def test_highlights_become_bold() -> None:
    made = card_from_result(result(excerpt=f"the {hl('release')} {hl('notes')} for May"))
    assert made.excerpt == "the *release* *notes* for May"


def test_excerpt_is_escaped_including_inside_highlights() -> None:
    made = card_from_result(result(excerpt=f"if a < b & c > d then {hl('<tag> & co')}"))
    assert made.excerpt == "if a &lt; b &amp; c &gt; d then *&lt;tag&gt; &amp; co*"


def test_confluence_html_escapes_are_decoded_exactly_once() -> None:
    made = card_from_result(
        result(title="Q&amp;A &quot;plan&quot;", excerpt=f"it&#39;s {hl('&lt;b&gt;')} &amp;amp;")
    )
    assert made.title == 'Q&A "plan"'  # plain text; escaped where it is shown
    # A page that literally says "&amp;" still shows "&amp;" (decoded once, escaped once).
    assert made.excerpt == "it's *&lt;b&gt;* &amp;amp;"


def test_slack_control_sequences_in_excerpt_are_defused() -> None:
    made = card_from_result(result(excerpt="ping <!channel> and <@U123|bob>"))
    assert "<" not in made.excerpt and ">" not in made.excerpt


def test_excerpt_newlines_become_spaces() -> None:
    assert card_from_result(result(excerpt="one\ntwo\n")).excerpt == "one two"


def test_title_highlights_are_removed_not_bolded() -> None:
    made = card_from_result(result(title=f"{hl('Release')} notes"))
    assert made.title == "Release notes"


def test_stray_markers_are_dropped() -> None:
    made = card_from_result(
        result(title=f"half {HL_START}open", excerpt=f"{HL_END}closed and {HL_START}open")
    )
    assert made.title == "half open"
    assert made.excerpt == "closed and open"


def test_untitled() -> None:
    assert card_from_result(result(title="")).title == "(untitled)"


def test_title_is_escaped_when_rendered() -> None:
    made = card_from_result(result(title="R&D <team> notes"))
    text = card_blocks(made)[0]["text"]["text"]
    assert "R&amp;D &lt;team&gt; notes" in text
    assert "<team>" not in text


def test_space_is_escaped_when_rendered() -> None:
    text = card_blocks(card(space="Q&A <ops>"))[0]["text"]["text"]
    assert "Q&amp;A &lt;ops&gt;" in text


def test_long_excerpt_is_cut_without_breaking_entities() -> None:
    made = card_from_result(result(excerpt="&" * 1000))
    assert len(made.excerpt) <= 400
    assert made.excerpt.endswith("…")
    assert made.excerpt[:-1].replace("&amp;", "") == ""


_plain = st.text(alphabet=st.characters(blacklist_characters="@", codec="utf-8"), max_size=60)


@given(st.lists(st.one_of(_plain, st.sampled_from([HL_START, HL_END])), max_size=12))
def test_never_leaves_raw_markers(parts: list[str]) -> None:
    text = "".join(parts)
    made = card_from_result(result(title=text or "t", excerpt=text))
    for value in (made.title, made.excerpt):
        assert "@@@" not in value
    assert not set("<>") & set(made.excerpt)


# --------------------------------------------------------------------------- button values


def test_value_round_trips() -> None:
    original = card(excerpt='quotes " and \\ backslashes, ünïcödé, emoji 🎉')
    value = original.to_value()
    assert len(value) <= BUTTON_VALUE_LIMIT
    assert ResultCard.from_value(value) == original


@pytest.mark.parametrize(
    "excerpt",
    ["x" * 10_000, "é" * 5_000, '"' * 3_000, "🎉" * 3_000, "&lt;" * 1_000],
    ids=["ascii", "latin", "quotes", "emoji", "entities"],
)
def test_huge_excerpt_is_trimmed_to_fit(excerpt: str) -> None:
    original = card(excerpt=excerpt, title="T" * 255)
    value = original.to_value()
    assert len(value) <= BUTTON_VALUE_LIMIT
    back = ResultCard.from_value(value)
    assert excerpt.startswith(back.excerpt)
    assert (back.url, back.title, back.space, back.kind, back.modified) == (
        original.url,
        original.title,
        original.space,
        original.kind,
        original.modified,
    )


def test_ascii_excerpt_is_trimmed_only_as_far_as_needed() -> None:
    value = card(excerpt="x" * 10_000).to_value()
    assert BUTTON_VALUE_LIMIT - 10 <= len(value) <= BUTTON_VALUE_LIMIT


def test_non_ascii_excerpt_keeps_what_fits() -> None:
    made = card_from_result(result(title="タイトル", excerpt="検索結果の抜粋" * 57))
    assert len(made.excerpt) >= 390
    back = ResultCard.from_value(made.to_value())
    assert len(back.excerpt) >= 200


def test_from_value_tolerates_missing_optional_fields() -> None:
    back = ResultCard.from_value(json.dumps({"u": "https://x", "t": "T"}))
    assert back == ResultCard("https://x", "T", "", "", "", "")


def test_value_fits_with_long_non_ascii_title() -> None:
    title = "日本語のタイトル" * 32  # 256 chars; Confluence allows 255
    title = title[:255]
    url = f"{BASE}/spaces/ENG/pages/123/" + "%E6%97%A5" * 255
    assert len(card(title=title, url=url).to_value()) <= BUTTON_VALUE_LIMIT


def test_more_value_round_trips() -> None:
    value = more_value("release notes", "ENG", "cursor-abc", "Results for x")
    assert value is not None
    assert json.loads(value) == {
        "q": "release notes",
        "s": "ENG",
        "c": "cursor-abc",
        "h": "Results for x",
    }


def test_more_value_none_when_too_long() -> None:
    assert more_value("q", None, "c" * BUTTON_VALUE_LIMIT, "h") is None


def test_more_value_at_limit() -> None:
    empty = more_value("", None, "", "")
    assert empty is not None
    cursor = "c" * (BUTTON_VALUE_LIMIT - len(empty))
    value = more_value("", None, cursor, "")
    assert value is not None and len(value) == BUTTON_VALUE_LIMIT
    assert more_value("", None, cursor + "c", "") is None


# --------------------------------------------------------------------------- messages


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for block in message["blocks"]:
        if block["type"] == "section" and "accessory" in block:
            found.append(block["accessory"])
        found.extend(block.get("elements", []) if block["type"] == "actions" else [])
    return found


def test_results_message_validates() -> None:
    cards = [card(title=f"Page {i}") for i in range(3)]
    message = results_message("Results for “x”", cards, more="{}", empty_hint="hint")
    assert validate_blocks(message["blocks"]) == []
    assert message["text"].startswith("Results for “x”: Page 0, Page 1, Page 2")
    buttons = _buttons(message)
    assert [b["action_id"] for b in buttons] == [SHARE_ACTION] * 3 + [MORE_ACTION]
    assert ResultCard.from_value(buttons[1]["value"]) == cards[1]
    assert buttons[-1]["value"] == "{}"


def test_results_message_without_more_has_no_actions() -> None:
    message = results_message("Results", [card()], more=None, empty_hint="hint")
    assert all(block["type"] != "actions" for block in message["blocks"])


def test_five_maximal_cards_validate() -> None:
    hostile = "<!channel> & <@U1> *bold* _it_ `code` "
    found = [
        result(
            title=(hostile * 20)[:255],
            excerpt=hl(hostile * 10) + "\n" + hostile * 200,
            space=(hostile * 20)[:255],
            webui=f"/spaces/ENG/pages/{i}/" + "Very+Long+Title" * 20,
            kind="blogpost",
        )
        for i in range(5)
    ]
    cards = [card_from_result(r) for r in found]
    more = more_value("q" * 500, "ENG", "c" * 1000, "Results " * 20)
    message = results_message("Results " * 500, cards, more=more, empty_hint="hint")
    assert validate_blocks(message["blocks"]) == []
    assert 0 < len(message["text"]) <= 3000
    for button in _buttons(message):
        assert len(button["value"]) <= BUTTON_VALUE_LIMIT
    rendered = " ".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")
    assert "<!channel>" not in rendered and "<@U1>" not in rendered


def test_empty_results_show_the_hint() -> None:
    message = results_message(
        "Results for “x”", [], more=None, empty_hint="Try fewer or broader words."
    )
    assert validate_blocks(message["blocks"]) == []
    assert "no results" in message["text"]
    assert "Try fewer or broader words." in block_text(message["blocks"])
    assert "actions" not in {b["type"] for b in message["blocks"]}


def test_shared_message_validates_and_credits_the_user() -> None:
    message = shared_message(card(), "U123")
    assert validate_blocks(message["blocks"]) == []
    assert "<@U123>" in block_text(message["blocks"])
    assert "actions" not in {b["type"] for b in message["blocks"]}
    assert not _buttons(message)


def test_card_blocks_show_link_meta_and_excerpt() -> None:
    text = card_blocks(card())[0]["text"]["text"]
    assert text.startswith(f"*<{BASE}/spaces/ENG/pages/123/Release+notes|Release notes>*")
    assert "Engineering · Page · updated 2024-05-01" in text
    assert text.endswith("What *changed* in May")


def test_card_blocks_skip_empty_meta() -> None:
    text = card_blocks(card(space="", kind="", modified="", excerpt=""))[0]["text"]["text"]
    assert "\n" not in text


def test_date_is_the_day_confluence_reported() -> None:
    assert card_from_result(result(modified="2024-12-31T23:59:59Z")).modified == "2024-12-31"


def test_shared_fallback_text_escapes_the_title() -> None:
    message = shared_message(card(title="Ping <!channel> & co"), "U123")
    assert "<!channel>" not in message["text"]
