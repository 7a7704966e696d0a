from __future__ import annotations

import pytest
from lxml import etree

from bot.convert import is_well_formed_storage
from bot.convert.storage import (
    add_code_macro,
    append_text,
    cdata,
    clean_text,
    new_root,
    parse_fragment,
    serialize,
    sub,
)


def _code_text(storage: str) -> str:
    root = parse_fragment(storage)
    assert root is not None
    body = root.find(".//{http://atlassian.com/content}plain-text-body")
    assert body is not None
    return body.text or ""


@pytest.mark.parametrize(
    "code",
    [
        "plain",
        "a]]>b",
        "]]>",
        "]]]]>",
        "x]]>]]>y",
        "<![CDATA[ ]]> &amp; <ac:x/>",
        "",
        "é😀",
        "a\r\nb\rc ]]>",
    ],
)
def test_code_macro_round_trips_byte_exact(code: str) -> None:
    root = new_root()
    add_code_macro(root, code)
    storage = serialize(root)
    assert storage.startswith('<ac:structured-macro ac:name="code"><ac:plain-text-body>')
    assert _code_text(storage) == code


def test_cdata_is_split_not_escaped_when_lxml_supports_it() -> None:
    if not isinstance(cdata("]]>"), etree.CDATA):
        pytest.skip("this lxml refuses ']]>' in CDATA; escaped text is used instead")
    root = new_root()
    add_code_macro(root, "a]]>b")
    assert "<![CDATA[a]]]]><![CDATA[>b]]>" in serialize(root)


def test_serialize_strips_wrapper_and_namespace_declarations() -> None:
    root = new_root()
    p = sub(root, "p")
    append_text(p, "x")
    add_code_macro(root, "y")
    out = serialize(root)
    assert out.startswith("<p>x</p><ac:structured-macro")
    assert "xmlns" not in out
    assert "storage-fragment" not in out
    assert serialize(new_root()) == ""


def test_text_mentioning_xmlns_is_just_text() -> None:
    root = new_root()
    append_text(sub(root, "p"), 'xmlns and xmlns:ac="x"')
    add_code_macro(root, '<a xmlns="urn:x"/>')
    out = serialize(root)
    assert out.startswith('<p>xmlns and xmlns:ac="x"</p>')
    assert _code_text(out) == '<a xmlns="urn:x"/>'


def test_a_namespace_declared_below_the_wrapper_is_refused() -> None:
    root = new_root()
    sub(root, "{urn:other}x")
    with pytest.raises(AssertionError, match="namespace"):
        serialize(root)


def test_clean_text_drops_xml_invalid_characters_and_normalises_newlines() -> None:
    assert clean_text("a\x00b\x1fc\r\nd\re\ud800") == "ab" + "c\nd\ne"


@pytest.mark.parametrize(
    ("storage", "ok"),
    [
        ("<p>a&nbsp;b&mdash;c</p>", True),
        ('<ac:link><ri:user ri:account-id="1"/></ac:link>', True),
        ("<p>unclosed", False),
        ("<p>&bogus;</p>", False),
        ("<x:y/>", False),
        ("", True),
    ],
)
def test_is_well_formed_storage(storage: str, ok: bool) -> None:
    assert is_well_formed_storage(storage) is ok
