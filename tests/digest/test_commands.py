import pytest

from bot.digest import (
    Frequency,
    HelpCommand,
    ListCommand,
    NowCommand,
    ParseError,
    Schedule,
    SubscribeCommand,
    UnsubscribeCommand,
    Weekday,
    parse_digest_command,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("subscribe ENG", SubscribeCommand(("ENG",))),
        ("digest subscribe eng", SubscribeCommand(("ENG",))),
        ("SUBSCRIBE Eng,ops", SubscribeCommand(("ENG", "OPS"))),
        ("subscribe ENG, OPS ,  DEV", SubscribeCommand(("ENG", "OPS", "DEV"))),
        ("subscribe ENG,eng,ENG", SubscribeCommand(("ENG",))),
        ("subscribe ~jsmith", SubscribeCommand(("~jsmith",))),
        (
            "subscribe ~712020:5b1e-ab12,ENG",
            SubscribeCommand(("~712020:5b1e-ab12", "ENG")),
        ),
        ("subscribe ENG daily", SubscribeCommand(("ENG",), Frequency.DAILY)),
        ("subscribe ENG weekdays", SubscribeCommand(("ENG",), Frequency.WEEKDAYS)),
        (
            "subscribe ENG weekdays at 8:15",
            SubscribeCommand(("ENG",), Frequency.WEEKDAYS, 8, 15),
        ),
        (
            "subscribe ENG weekly monday",
            SubscribeCommand(("ENG",), Frequency.WEEKLY, weekday=Weekday.MONDAY),
        ),
        (
            "subscribe ENG weekly Sun at 17:45",
            SubscribeCommand(("ENG",), Frequency.WEEKLY, 17, 45, Weekday.SUNDAY),
        ),
        (
            "subscribe ENG weekly thurs",
            SubscribeCommand(("ENG",), Frequency.WEEKLY, weekday=Weekday.THURSDAY),
        ),
        ("subscribe ENG at 9", SubscribeCommand(("ENG",), hour=9, minute=0)),
        ("subscribe ENG at 9:30", SubscribeCommand(("ENG",), hour=9, minute=30)),
        ("subscribe ENG at 09:30", SubscribeCommand(("ENG",), hour=9, minute=30)),
        ("subscribe ENG at 0:00", SubscribeCommand(("ENG",), hour=0, minute=0)),
        ("subscribe ENG at 23:59", SubscribeCommand(("ENG",), hour=23, minute=59)),
        ("subscribe ENG 9am", SubscribeCommand(("ENG",), hour=9)),
        ("subscribe ENG at 5:30pm", SubscribeCommand(("ENG",), hour=17, minute=30)),
        ("subscribe ENG at 5:30 PM", SubscribeCommand(("ENG",), hour=17, minute=30)),
        ("subscribe ENG 12am", SubscribeCommand(("ENG",), hour=0)),
        ("subscribe ENG 12pm daily", SubscribeCommand(("ENG",), hour=12)),
        ("subscribe ENG 14:05", SubscribeCommand(("ENG",), hour=14, minute=5)),
        ("  subscribe   ENG   daily   at   7:00  ", SubscribeCommand(("ENG",), hour=7)),
        ("list", ListCommand()),
        ("digest list", ListCommand()),
        ("now", NowCommand()),
        ("now ENG,ops", NowCommand(("ENG", "OPS"))),
        ("unsubscribe all", UnsubscribeCommand((), all_spaces=True)),
        ("unsubscribe ALL", UnsubscribeCommand((), all_spaces=True)),
        ("unsubscribe eng, ops", UnsubscribeCommand(("ENG", "OPS"))),
        ("", HelpCommand()),
        ("digest", HelpCommand()),
        ("help", HelpCommand()),
    ],
)
def test_parses_valid_input(text: str, expected: object) -> None:
    assert parse_digest_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("frobnicate", "Unknown digest command “frobnicate”"),
        ("subscribe", "Which space?"),
        ("subscribe ENG weekly funday", "Unknown weekday “funday”. Use mon, tue"),
        ("subscribe ENG weekly", "Which day?"),
        ("subscribe ENG weekly at 9", "Which day?"),
        ("subscribe ENG at 25:00", "“25:00” isn't a valid time"),
        ("subscribe ENG at 24:00", "“24:00” isn't a valid time"),
        ("subscribe ENG at 9:60", "“9:60” isn't a valid time"),
        ("subscribe ENG at 13pm", "“13pm” isn't a valid time"),
        ("subscribe ENG at 0am", "“0am” isn't a valid time"),
        ("subscribe ENG at noonish", "“noonish” isn't a time"),
        ("subscribe ENG at", "What time?"),
        ("subscribe ENG at 9 at 10", "Give only one time"),
        ("subscribe ENG daily weekdays", "Give only one of daily, weekdays or weekly"),
        ("subscribe ENG monday", "Did you mean `weekly monday`?"),
        ("subscribe ENG OPS", "I don't understand “OPS”. Separate space keys with commas"),
        ("subscribe ENG 9", "I don't understand “9”"),
        ("subscribe EN-G", "“EN-G” isn't a space key"),
        ("subscribe ENG,,OPS", "Empty space key"),
        ("subscribe ENG,", "Empty space key"),
        ("subscribe ~", "“~” isn't a space key"),
        ("subscribe " + "A" * 256, "is too long"),
        ("unsubscribe", "Which space?"),
        ("unsubscribe ENG OPS", "Unexpected “OPS”"),
        ("unsubscribe all ENG", "Unexpected “ENG”"),
        ("list ENG", "`digest list` takes no arguments"),
        ("now ENG OPS", "Unexpected “OPS”"),
    ],
)
def test_rejects_invalid_input_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_digest_command(text)
    assert message in str(info.value)


def test_subscribe_builds_a_schedule_in_the_invokers_zone() -> None:
    command = parse_digest_command("subscribe ENG weekly fri at 16:30")
    assert isinstance(command, SubscribeCommand)
    assert command.schedule("Europe/Berlin") == Schedule(
        Frequency.WEEKLY, 16, 30, "Europe/Berlin", Weekday.FRIDAY
    )


def test_default_schedule_is_daily_at_nine() -> None:
    command = parse_digest_command("subscribe ENG")
    assert isinstance(command, SubscribeCommand)
    assert command.schedule("UTC") == Schedule(Frequency.DAILY, 9, 0, "UTC")


def test_parse_error_is_a_value_error() -> None:
    assert issubclass(ParseError, ValueError)
