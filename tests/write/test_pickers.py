"""Finding spaces and pages to write to: matching and the search's CQL."""

from __future__ import annotations

import pytest

from bot.write.pickers import _matches_space, page_search_cql


@pytest.mark.parametrize(
    ("query", "key", "name", "expected"),
    [
        ("", "ENG", "Engineering", True),
        ("eng", "ENG", "Engineering", True),
        ("plat", "PE", "Core Platform Team", True),
        ("team", "PE", "Core Platform Team", True),
        ("latform", "PE", "Core Platform Team", False),
        ("ops", "ENG", "Engineering", False),
    ],
)
def test_space_matching_is_by_key_or_word_prefix(
    query: str, key: str, name: str, expected: bool
) -> None:
    assert _matches_space(query, key, name) is expected


def test_page_search_cql_quotes_user_words() -> None:
    assert page_search_cql('deploy che"ck', "ENG") == (
        'type = page AND space = "ENG" AND (title ~ "deploy*" AND title ~ "che*" AND '
        'title ~ "ck*") order by lastmodified desc'
    )
    assert page_search_cql("  ") == "type = page order by lastmodified desc"
