"""The sentence around a mention of one user, from storage XHTML."""

from __future__ import annotations

from bot.convert import mention_sentence


def mention(account: str) -> str:
    return f'<ac:link><ri:user ri:account-id="{account}"/></ac:link>'


def test_the_sentence_with_the_mention_is_kept_and_the_mention_says_you() -> None:
    storage = (
        f"<p>We shipped on Monday. Could {mention('a-1')} review the numbers? Thanks all.</p>"
        "<p>Another paragraph.</p>"
    )
    assert mention_sentence(storage, "a-1") == "Could @you review the numbers?"


def test_others_mentioned_are_named_generically_and_absent_users_give_none() -> None:
    storage = f"<ul><li>{mention('a-2')} and {mention('a-1')} own this</li></ul>"
    assert mention_sentence(storage, "a-1") == "@user and @you own this"
    assert mention_sentence(storage, "a-3") is None
    assert mention_sentence("<p>no mentions</p>", "a-1") is None
    # The account id appears, but not as a mention.
    assert mention_sentence('<p><a href="x">"a-1"</a></p>', "a-1") is None


def test_a_mention_alone_and_markup_around_it() -> None:
    assert mention_sentence(f"<p>{mention('a-1')}</p>", "a-1") == "@you"
    storage = (
        f"<table><tbody><tr><td><strong>Owner:</strong> {mention('a-1')}</td></tr></tbody></table>"
    )
    assert mention_sentence(storage, "a-1") == "Owner: @you"
