from __future__ import annotations

import pytest

from bot.confluence.urls import ContentRef
from bot.notify import NotifyFilters
from bot.notify.commands import (
    HelpCommand,
    ListCommand,
    ParseError,
    PauseCommand,
    ResumeCommand,
    SubscribeCommand,
    UnderPage,
    UnsubscribeCommand,
    parse_notify_command,
)

PAGE_URL = "https://acme.atlassian.net/wiki/spaces/ENG/pages/123/Runbooks"


def subscribe(text: str) -> SubscribeCommand:
    command = parse_notify_command(text)
    assert isinstance(command, SubscribeCommand)
    return command


def test_defaults_are_pages_blog_posts_comments_and_every_edit() -> None:
    command = subscribe("subscribe eng")
    assert command == SubscribeCommand(("ENG",))
    assert command.filters() == NotifyFilters()
    assert command.kinds == {"page", "blogpost", "comment"}
    assert (command.label, command.under, command.edits) == (None, None, "all")


def test_leading_notify_word_and_case_are_ignored() -> None:
    assert subscribe("notify SUBSCRIBE Eng, ops ,DOC") == SubscribeCommand(("ENG", "OPS", "DOC"))


def test_personal_space_keys_are_kept_as_written_and_duplicates_dropped() -> None:
    assert subscribe("subscribe ~ada:x-1,ENG,eng").space_keys == ("~ada:x-1", "ENG")


def test_naming_kinds_keeps_only_those() -> None:
    assert subscribe("subscribe ENG pages comments").kinds == {"page", "comment"}
    assert subscribe("subscribe ENG blogposts").kinds == {"blogpost"}
    assert subscribe("subscribe ENG Blog page").kinds == {"blogpost", "page"}


def test_every_option_at_once() -> None:
    command = subscribe(f"subscribe ENG pages label:Release-Notes under:{PAGE_URL} edits:MAJOR")
    assert command.space_keys == ("ENG",)
    assert command.kinds == {"page"}
    assert command.label == "release-notes"  # Confluence stores labels lower-case
    assert command.under == UnderPage(PAGE_URL, ContentRef("page", "123", "ENG"))
    assert command.edits == "major"
    assert command.filters("123") == NotifyFilters(
        frozenset({"page"}), "release-notes", "123", "major"
    )


def test_under_defaults_to_pages_and_comments() -> None:
    command = subscribe("subscribe ENG under:123")
    assert command.kinds == {"page", "comment"}
    assert command.under == UnderPage("123", ContentRef("page", "123"))
    assert command.under is not None and not command.under.is_link


@pytest.mark.parametrize(
    "text",
    [
        f"subscribe ENG under:<{PAGE_URL}>",
        f"subscribe ENG under:<{PAGE_URL}|Runbooks for everyone>",
        f"subscribe ENG under: {PAGE_URL}",
        "subscribe ENG under:https://acme.atlassian.net/wiki/pages/viewpage.action?pageId=123",
    ],
)
def test_under_reads_links_as_slack_sends_them(text: str) -> None:
    command = subscribe(text)
    assert command.under is not None and command.under.ref.id == "123"
    assert command.under.is_link and command.under.text.startswith("https://acme.atlassian.net")


def test_label_with_a_space_after_the_colon() -> None:
    assert subscribe("subscribe ENG label: runbook").label == "runbook"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("subscribe", "Which space?"),
        ("subscribe pages", "Which space?"),
        ("subscribe label:x", "Which space?"),
        ("subscribe ENG,", "Empty space key"),
        ("subscribe EN-G", "isn't a space key"),
        ("subscribe ENG daily", "I don't understand “daily”"),
        ("subscribe ENG ENG2", "I don't understand “ENG2”"),
        ("subscribe ENG owner:me", "I don't understand “owner:me”"),
        ("subscribe ENG label:", "`label:` needs a value"),
        ("subscribe ENG label:a,b", "isn't a Confluence label: labels can't contain ,"),
        ("subscribe ENG label:what?", "labels can't contain ?"),
        ("subscribe ENG label:a label:b", "only one `label:`"),
        ("subscribe ENG label:" + "x" * 256, "too long"),
        ("subscribe ENG under:", "`under:` needs a value"),
        ("subscribe ENG under:not-a-page", "isn't a page"),
        ("subscribe ENG under:https://acme.atlassian.net/wiki/spaces/ENG", "isn't a page"),
        (
            "subscribe ENG under:https://acme.atlassian.net/wiki/spaces/ENG/blog/2024/05/06/77",
            "is a blog post",
        ),
        ("subscribe ENG under:1 under:2", "only one `under:`"),
        (
            "subscribe ENG under:https://evil.example\\@acme.atlassian.net/wiki/spaces/ENG/pages/1",
            "isn't a plain link to a page",
        ),
        ("subscribe ENG under:https://me:pw@acme.atlassian.net/wiki/pages/1", "a password"),
        ("subscribe ENG,OPS under:123", "follows one page's tree"),
        ("subscribe ENG blogposts under:123", "Blog posts are never under a page"),
        ("subscribe ENG edits:minor", "`edits:minor` isn't a choice"),
        ("subscribe ENG edits:all edits:major", "only one `edits:`"),
        ("unsubscribe", "Which space?"),
        ("unsubscribe ENG OPS", "Unexpected “OPS”"),
        ("list ENG", "takes no arguments"),
        ("pause ENG OPS", "Unexpected “OPS”"),
        ("resume E!", "isn't a space key"),
        ("watch ENG", "Unknown notify command “watch”"),
    ],
)
def test_wrong_input_is_named(text: str, said: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_notify_command(text)
    assert said in str(raised.value)


def test_other_verbs() -> None:
    assert parse_notify_command("") == HelpCommand()
    assert parse_notify_command("notify") == HelpCommand()
    assert parse_notify_command("help") == HelpCommand()
    assert parse_notify_command("list") == ListCommand()
    assert parse_notify_command("unsubscribe all") == UnsubscribeCommand((), all_spaces=True)
    assert parse_notify_command("unsubscribe eng,ops") == UnsubscribeCommand(("ENG", "OPS"))
    assert parse_notify_command("pause") == PauseCommand()
    assert parse_notify_command("pause eng") == PauseCommand(("ENG",))
    assert parse_notify_command("Resume") == ResumeCommand()
    assert parse_notify_command("resume ENG, OPS") == ResumeCommand(("ENG", "OPS"))
