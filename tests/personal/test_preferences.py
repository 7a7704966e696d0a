from __future__ import annotations

import pytest

from bot.personal import (
    KINDS,
    ParseError,
    Preferences,
    ShowPreferences,
    SwitchPreferences,
    parse_me,
)


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("", ShowPreferences()),
        ("  ", ShowPreferences()),
        ("on", SwitchPreferences(True, KINDS)),
        ("OFF", SwitchPreferences(False, KINDS)),
        ("off all", SwitchPreferences(False, KINDS)),
        ("off comments", SwitchPreferences(False, ("comments",))),
        ("on tasks, mentions", SwitchPreferences(True, ("mentions", "tasks"))),
        ("off watch comment comment", SwitchPreferences(False, ("comments", "watching"))),
        ("on mentions all", SwitchPreferences(True, KINDS)),
    ],
)
def test_parse(typed: str, parsed: ShowPreferences | SwitchPreferences) -> None:
    assert parse_me(typed) == parsed


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("maybe", "`on` or `off`"),
        ("mentions off", "`on` or `off`"),
        ("off likes <@U1>", "`likes`, `<@u1>`"),
    ],
)
def test_mistakes_say_what_is_accepted(typed: str, said: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_me(typed)
    assert said in str(caught.value) and "/confluence me on|off" in str(caught.value)


def test_preferences_default_to_all_on_and_switch() -> None:
    assert Preferences().enabled == KINDS
    assert Preferences.of(None) == Preferences()
    some = Preferences().switched(["comments", "tasks"], False)
    assert some.enabled == ("mentions", "watching")
    assert not some.wants("tasks")
    assert Preferences.only(["watching"]).enabled == ("watching",)
    assert Preferences.only([]).enabled == ()
