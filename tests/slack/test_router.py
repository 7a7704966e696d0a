"""`/confluence …` text → typed command; `words in:KEY` → search query."""

from __future__ import annotations

import pytest

from bot.slack.router import (
    MAX_QUERY,
    SUBCOMMANDS,
    Command,
    SearchQuery,
    parse_command,
    parse_search,
)


@pytest.mark.parametrize("text", ["", "   ", "\t\n", None])
def test_empty_text_is_help(text: str | None) -> None:
    assert parse_command(text) == Command("help")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_each_subcommand_with_args(name: str) -> None:
    assert parse_command(f"{name} some args") == Command(name, "some args")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_each_subcommand_alone(name: str) -> None:
    command = parse_command(name)
    assert command.name == name
    assert command.args == ""
    assert command.implicit is False


def test_all_documented_subcommands_are_known() -> None:
    assert {
        "search",
        "recent",
        "create",
        "comment",
        "digest",
        "notify",
        "connect",
        "disconnect",
        "whoami",
        "tasks",
        "me",
        "help",
    } == SUBCOMMANDS


@pytest.mark.parametrize("text", ["SEARCH foo", "Search foo", "sEaRcH foo"])
def test_subcommand_is_case_insensitive(text: str) -> None:
    assert parse_command(text) == Command("search", "foo")


def test_args_keep_their_case() -> None:
    assert parse_command("create My Page Title").args == "My Page Title"


@pytest.mark.parametrize("text", ["release notes", "serch typo", "searching things", "helpme"])
def test_unknown_text_is_an_implicit_search_of_everything(text: str) -> None:
    assert parse_command(text) == Command("search", text, implicit=True)


def test_outer_whitespace_is_ignored() -> None:
    assert parse_command("   recent   ENG  ") == Command("recent", "ENG")


def test_inner_whitespace_of_args_is_kept() -> None:
    assert parse_command("search   foo   bar ") == Command("search", "foo   bar")


def test_implicit_search_is_stripped() -> None:
    assert parse_command("  roadmap  2025 ") == Command("search", "roadmap  2025", implicit=True)


def test_search_words_only() -> None:
    assert parse_search("release notes") == SearchQuery("release notes", None)


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ("in:ENG release notes", "release notes"),
        ("release in:ENG notes", "release notes"),
        ("release notes in:ENG", "release notes"),
        ("in:ENG", ""),
    ],
)
def test_in_space_anywhere(args: str, text: str) -> None:
    assert parse_search(args) == SearchQuery(text, "ENG")


def test_last_in_space_wins() -> None:
    assert parse_search("in:OPS a in:ENG b") == SearchQuery("a b", "ENG")


def test_space_key_is_upper_cased() -> None:
    assert parse_search("foo in:eng").space_key == "ENG"


def test_in_prefix_is_case_insensitive() -> None:
    assert parse_search("foo IN:eng") == SearchQuery("foo", "ENG")


def test_personal_space_key_is_kept_as_given() -> None:
    assert parse_search("notes in:~jdoe") == SearchQuery("notes", "~jdoe")


def test_in_inside_a_word_is_not_a_space_filter() -> None:
    assert parse_search("login:admin") == SearchQuery("login:admin", None)


def test_in_with_invalid_key_stays_in_the_text() -> None:
    assert parse_search("foo in:ENG!") == SearchQuery("foo in:ENG!", None)


def test_whitespace_is_collapsed() -> None:
    assert parse_search("  a \t b   in:X   c ").text == "a b c"


def test_query_is_capped() -> None:
    query = parse_search("word " * 400 + "in:ENG")
    assert len(query.text) == MAX_QUERY
    assert query.space_key == "ENG"


def test_query_at_cap_is_untouched() -> None:
    text = "x" * MAX_QUERY
    assert parse_search(text).text == text


@pytest.mark.parametrize(
    "hostile",
    [
        'title = "x" OR space = "Y"',
        'back\\slash \\" quote',
        "it's ~fuzzy* (grouped) AND NOT",
        "<!channel> &amp; <@U123>",
    ],
)
def test_hostile_text_is_kept_verbatim(hostile: str) -> None:
    # Quoting for CQL is the CQL builder's job, not the parser's.
    assert parse_search(hostile) == SearchQuery(hostile, None)


@pytest.mark.parametrize("text", ["search\nfoo", "search\tfoo"])
def test_subcommand_followed_by_other_whitespace(text: str) -> None:
    assert parse_command(text) == Command("search", "foo")
