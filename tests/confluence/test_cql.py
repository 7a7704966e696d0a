"""CQL built from user text is always a valid query whose string literals hold exactly that text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.confluence.cql import convert_highlights, quote, search_cql, strip_highlights
from tests.fakes.confluence_cql import parse_cql, tokenize

printable = st.text(st.characters(blacklist_categories=("Cs",), min_codepoint=32), max_size=60)


@given(printable)
def test_quote_round_trips_through_a_cql_tokenizer(text: str) -> None:
    tokens = tokenize(f"text ~ {quote(text)}")
    strings = [t for t in tokens if t.kind == "str"]
    assert len(strings) == 1
    assert strings[0].value == text


@given(printable, st.lists(st.sampled_from(["ENG", "OPS", "~alice"]), max_size=3))
def test_any_user_text_gives_a_parseable_query(text: str, keys: list[str]) -> None:
    cql = search_cql(text, space_keys=keys, order_by="lastmodified desc")
    parse_cql(cql)  # raises on malformed CQL


def test_hostile_text_cannot_add_clauses() -> None:
    cql = search_cql('x" OR space = "SECRET', space_keys=["ENG"])
    assert (
        cql == 'type in (page, blogpost) AND space = "ENG" AND text ~ "x\\" OR space = \\"SECRET"'
    )
    assert search_cql("a\\") == 'type in (page, blogpost) AND text ~ "a\\\\"'


def test_filters() -> None:
    since = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    assert (
        search_cql(None, types=["blogpost"], space_keys=["A", "B"], created_since=since)
        == 'type = blogpost AND space in ("A", "B") AND created >= "2026-11-01 08:30"'
    )
    assert "lastmodified >=" in search_cql("x", modified_since=since)
    with pytest.raises(ValueError):
        search_cql("x", space_keys=['A" OR 1=1'])
    with pytest.raises(ValueError):
        search_cql("x", types=["page; drop"])


def test_highlights_converted_in_one_place() -> None:
    text = "use @@@hl@@@kubectl@@@endhl@@@ to @@@hl@@@apply@@@endhl@@@ @@@hl@@@"
    assert strip_highlights(text) == "use kubectl to apply "
    assert convert_highlights(text, lambda s: f"*{s}*") == "use *kubectl* to *apply* "
