"""Block Kit builders stay inside Slack's limits, and the fake Slack accepts what they emit."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack import block_limits
from bot.slack.blocks import (
    actions,
    button,
    checkboxes,
    context,
    divider,
    external_select,
    header,
    home,
    input_block,
    link,
    message,
    modal,
    mrkdwn_escape,
    option,
    options_response,
    plain_text_input,
    section,
    static_select,
    truncate,
    truncate_mrkdwn,
)
from tests.fakes.slack_fake import validate_blocks, validate_view

# ----------------------------------------------------------------------------- text helpers


def test_truncate() -> None:
    assert truncate("short", 10) == "short"
    assert truncate("exactly10!", 10) == "exactly10!"
    assert truncate("eleven char", 10) == "eleven ch…"
    assert len(truncate("x" * 5000, 3000)) == 3000
    with pytest.raises(ValueError):
        truncate("x", 0)


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_truncate_never_exceeds_limit(text: str, limit: int) -> None:
    cut = truncate(text, limit)
    assert len(cut) <= limit
    assert cut == text or (cut.endswith("…") and text.startswith(cut[:-1]))


@given(st.text(alphabet="ab<>|&;: ", max_size=80), st.integers(min_value=1, max_value=40))
def test_truncate_mrkdwn_never_exceeds_limit(text: str, limit: int) -> None:
    assert len(truncate_mrkdwn(text, limit)) <= limit


def test_truncate_mrkdwn_does_not_split_links_or_entities() -> None:
    text = "see " + link("https://acme.atlassian.net/wiki/x", "Roadmap") + " now"
    assert truncate_mrkdwn(text, 20) == "see …"
    assert truncate_mrkdwn("Tom &amp; Jerry", 8) == "Tom …"
    assert truncate_mrkdwn("plain words here", 10) == "plain wor…"


def test_mrkdwn_escape() -> None:
    assert mrkdwn_escape("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d"
    assert mrkdwn_escape("*bold* stays") == "*bold* stays"


def test_link() -> None:
    url = "https://acme.atlassian.net/wiki/spaces/ENG/pages/1"
    assert link(url, "Q3 <plan> & more") == f"<{url}|Q3 &lt;plan&gt; &amp; more>"
    assert link(url) == f"<{url}>"
    # "|", ">" and spaces in the URL would end it early; they are percent-encoded.
    assert link("https://x.test/a b|c>d", "x") == "<https://x.test/a%20b%7Cc%3Ed|x>"
    assert link(url, "multi\nline  label") == f"<{url}|multi line label>"


# ----------------------------------------------------------------------------- blocks


def test_section_limits() -> None:
    block = section("x" * 4000, block_id="s1")
    assert (
        len(block["text"]["text"]) == block_limits.SECTION_TEXT
        and block["text"]["type"] == "mrkdwn"
    )
    fields = section(fields=["f" * 2500] * 10)["fields"]
    assert len(fields) == 10 and all(
        len(f["text"]) == block_limits.SECTION_FIELD_TEXT for f in fields
    )
    with pytest.raises(ValueError):
        section(fields=["f"] * 11)
    with pytest.raises(ValueError):
        section()
    with pytest.raises(ValueError):
        section("x", block_id="b" * 256)


def test_header_is_plain_and_capped() -> None:
    block = header("*not bold* " + "h" * 200)
    assert block["text"]["type"] == "plain_text"
    assert len(block["text"]["text"]) == block_limits.HEADER_TEXT


def test_context_limits() -> None:
    assert len(context(*["c"] * 10)["elements"]) == 10
    with pytest.raises(ValueError):
        context(*["c"] * 11)
    with pytest.raises(ValueError):
        context()


def test_button_limits() -> None:
    b = button("b" * 100, "open_page", value="v" * 2000, style="primary")
    assert len(b["text"]["text"]) == block_limits.BUTTON_TEXT and b["value"] == "v" * 2000
    with pytest.raises(ValueError):
        button("b", "a", value="v" * 2001)
    with pytest.raises(ValueError):
        button("b", "a" * 256)
    with pytest.raises(ValueError):
        button("b", "a", style="loud")  # type: ignore[arg-type]
    assert button("Open", "open", url="https://x.test")["url"] == "https://x.test"


def test_actions_limits() -> None:
    assert len(actions(*[button("b", f"a{i}") for i in range(25)])["elements"]) == 25
    with pytest.raises(ValueError):
        actions(*[button("b", f"a{i}") for i in range(26)])


def test_option_limits() -> None:
    o = option("o" * 100, "v" * 150)
    assert len(o["text"]["text"]) == block_limits.OPTION_TEXT and o["text"]["type"] == "plain_text"
    with pytest.raises(ValueError):
        option("o", "v" * 151)


def test_selects() -> None:
    opts = [option(f"Space {i}", f"S{i}") for i in range(100)]
    select = static_select("space", "Pick a space", opts, initial_option=opts[0])
    assert len(select["options"]) == 100 and select["initial_option"]["value"] == "S0"
    with pytest.raises(ValueError):
        static_select("space", "Pick", [*opts, option("x", "x")])
    assert len(options_response([*opts, *opts])["options"]) == 100
    ext = external_select("page", "p" * 200, min_query_length=2)
    assert ext["type"] == "external_select" and len(ext["placeholder"]["text"]) == 150


def test_plain_text_input_limits() -> None:
    el = plain_text_input("body", multiline=True, max_length=10, initial_value="i" * 20)
    assert el["max_length"] == 10 and len(el["initial_value"]) == 10 and el["multiline"] is True
    assert len(plain_text_input("b", initial_value="i" * 4000)["initial_value"]) == 3000
    for bad in (0, 3001):
        with pytest.raises(ValueError):
            plain_text_input("b", max_length=bad)


def test_input_block_label_capped() -> None:
    block = input_block("l" * 2100, plain_text_input("t"), block_id="title", hint="h" * 2100)
    assert len(block["label"]["text"]) == block_limits.INPUT_LABEL
    assert len(block["hint"]["text"]) == block_limits.INPUT_HINT
    assert block["block_id"] == "title" and "optional" not in block


# ----------------------------------------------------------------------------- surfaces


def test_message_caps_blocks_and_keeps_fallback_text() -> None:
    blocks = [section(f"item {i}") for i in range(60)]
    payload = message("t" * 5000, blocks)
    assert len(payload["text"]) == block_limits.MESSAGE_TEXT
    assert len(payload["blocks"]) == block_limits.MESSAGE_BLOCKS
    assert payload["blocks"][-1] == context("…and 11 more")
    assert payload["blocks"][-2] == blocks[48]
    assert message("hi", [divider()]) == {"text": "hi", "blocks": [divider()]}
    assert message("only text") == {"text": "only text"}
    with pytest.raises(ValueError):
        message("  ", [divider()])


def test_modal_limits() -> None:
    view = modal(
        "Create a Confluence page now",
        [input_block("Title", plain_text_input("title"))],
        callback_id="create_page",
        submit="Create the page right away",
        close="Cancel",
        private_metadata="m" * 3000,
    )
    assert view["title"]["text"] == truncate("Create a Confluence page now", 24)
    assert len(view["submit"]["text"]) == 24 and view["close"]["text"] == "Cancel"
    with pytest.raises(ValueError):
        modal("t", [divider()], callback_id="c", private_metadata="m" * 3001)
    with pytest.raises(ValueError):
        modal("t", [divider()] * 101, callback_id="c")
    with pytest.raises(ValueError):
        modal("t", [input_block("x", plain_text_input("x"))], callback_id="c")
    with pytest.raises(ValueError):
        modal("t", [divider()], callback_id="c" * 256)


def test_checkboxes_limits() -> None:
    opts = [option(f"Kind {i}", f"k{i}") for i in range(10)]
    boxes = checkboxes("kinds", opts, checked=opts[2:4])
    assert boxes["type"] == "checkboxes" and [o["value"] for o in boxes["initial_options"]] == [
        "k2",
        "k3",
    ]
    assert "initial_options" not in checkboxes("kinds", opts)
    with pytest.raises(ValueError):
        checkboxes("kinds", [*opts, option("x", "x")])
    with pytest.raises(ValueError):
        checkboxes("kinds", opts[:2], checked=[opts[5]])
    assert validate_blocks([actions(boxes)], surface="home") == []


def test_home_caps_blocks() -> None:
    view = home([section(f"page {i}") for i in range(130)])
    assert view["type"] == "home" and len(view["blocks"]) == block_limits.VIEW_BLOCKS
    assert view["blocks"][-1] == context("…and 31 more")


# ----------------------------------------------------------------------------- fake Slack agrees


def _everything(copies: int = 1) -> list[dict[str, Any]]:
    return [b for n in range(copies) for b in _one_of_each(n)]


def _filler(count: int) -> list[dict[str, Any]]:
    return [section(f"page {i}", block_id=f"f{i}") for i in range(count)]


def _one_of_each(n: int) -> list[dict[str, Any]]:
    long = "word " * 2000
    return [
        header(long),
        section(long, accessory=button(long, "open", value="v" * 2000), block_id=f"s{n}"),
        section(fields=[long] * 10),
        section(
            "pick",
            accessory=static_select("space", long, [option(long, str(i)) for i in range(100)]),
        ),
        section("search", accessory=external_select("page", long, min_query_length=0)),
        context(*[long] * 10),
        divider(),
        actions(*[button(long, f"a{i}", url="https://x.test") for i in range(25)]),
        section(link("https://acme.atlassian.net/wiki/x y", long) + " " + mrkdwn_escape(long)),
    ]


def test_emitted_message_passes_the_fake_validator() -> None:
    payload = message("fallback " * 1000, [*_everything(2), *_filler(60)])
    assert validate_blocks(payload["blocks"]) == []


def test_emitted_modal_and_home_pass_the_fake_validator() -> None:
    inputs = [
        input_block("l " * 1500, plain_text_input("t", max_length=3000), block_id="i1"),
        input_block(
            "Body", plain_text_input("b", multiline=True, initial_value="x" * 5000), block_id="i2"
        ),
        input_block("Page", external_select("p", "Search pages"), block_id="i3", optional=True),
    ]
    view = modal(
        "A very long modal title indeed",
        [*_everything(), *inputs],
        callback_id="save_thread",
        submit="Save to Confluence please",
        close="Never mind, thank you",
        private_metadata='{"channel":"C1","ts":"1.2"}',
    )
    assert validate_view(view) == []
    assert validate_view(home([*_everything(2), *_filler(120)])) == []
