"""Parse the text of the ``digest`` subcommand into typed commands.

Grammar (words are case-insensitive; a leading ``digest`` word is ignored)::

    subscribe <KEY>[,<KEY>...] [daily | weekdays | weekly <day>] [at <time>]
    unsubscribe <KEY>[,<KEY>...] | all
    list
    now [<KEY>[,<KEY>...]]
    help

Times: ``9``, ``9:30``, ``09:30``, ``17:05``, ``9am``, ``5:30pm``, ``5:30 pm``. ``at`` may be left
out before a time written with a colon or am/pm. Global space keys are letters and digits and are
upper-cased; personal space keys start with ``~`` and are kept as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.confluence.space_keys import SpaceKeyError, take_space_keys
from bot.digest.schedule import Frequency, Schedule, Weekday

__all__ = [
    "USAGE",
    "DigestCommand",
    "HelpCommand",
    "ListCommand",
    "NowCommand",
    "ParseError",
    "SubscribeCommand",
    "UnsubscribeCommand",
    "parse_digest_command",
]

USAGE = (
    "Usage:\n"
    "• `digest subscribe ENG[,OPS] [daily | weekdays | weekly mon] [at 09:00]`"
    " (your time zone; default daily at 09:00)\n"
    "• `digest unsubscribe ENG[,OPS] | all`\n"
    "• `digest list`\n"
    "• `digest now`"
)

DEFAULT_HOUR = 9
DEFAULT_MINUTE = 0

# Personal space keys are "~" plus a user name or account id (which may hold ":" or "-").
_TIME = re.compile(r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<meridiem>am|pm)?")
_MERIDIEMS = frozenset({"am", "pm"})

_WEEKDAYS: dict[str, Weekday] = {
    alias: day for day in Weekday for alias in (day.name.lower(), day.name.lower()[:3])
} | {
    "tues": Weekday.TUESDAY,
    "weds": Weekday.WEDNESDAY,
    "thur": Weekday.THURSDAY,
    "thurs": Weekday.THURSDAY,
}

_FREQUENCY_WORDS: dict[str, Frequency] = {
    "daily": Frequency.DAILY,
    "weekdays": Frequency.WEEKDAYS,
    "weekly": Frequency.WEEKLY,
}


class ParseError(ValueError):
    """Invalid ``digest`` input; ``str(error)`` is a message fit to show the user."""


@dataclass(frozen=True, slots=True)
class SubscribeCommand:
    space_keys: tuple[str, ...]
    frequency: Frequency = Frequency.DAILY
    hour: int = DEFAULT_HOUR
    minute: int = DEFAULT_MINUTE
    weekday: Weekday | None = None

    def schedule(self, tz: str) -> Schedule:
        """The schedule in the invoker's IANA time zone (Slack ``users.info`` ``tz``)."""
        return Schedule(self.frequency, self.hour, self.minute, tz, self.weekday)


@dataclass(frozen=True, slots=True)
class UnsubscribeCommand:
    space_keys: tuple[str, ...]  # empty when all_spaces
    all_spaces: bool = False


@dataclass(frozen=True, slots=True)
class ListCommand:
    pass


@dataclass(frozen=True, slots=True)
class NowCommand:
    space_keys: tuple[str, ...] = ()  # empty: every subscription of the channel


@dataclass(frozen=True, slots=True)
class HelpCommand:
    pass


DigestCommand = SubscribeCommand | UnsubscribeCommand | ListCommand | NowCommand | HelpCommand


def parse_digest_command(text: str) -> DigestCommand:
    """Parse e.g. ``"subscribe ENG,ops weekly mon at 8:15"``; raises ParseError."""
    words = text.split()
    if words and words[0].lower() == "digest":
        words = words[1:]
    if not words:
        return HelpCommand()
    verb, rest = words[0].lower(), words[1:]
    if verb == "subscribe":
        return _parse_subscribe(rest)
    if verb == "unsubscribe":
        return _parse_unsubscribe(rest)
    if verb == "list":
        _expect_end(rest, "`digest list` takes no arguments.")
        return ListCommand()
    if verb == "now":
        keys, rest = _take_space_keys(rest) if rest else ((), rest)
        _expect_end(rest, "Separate space keys with commas, e.g. `digest now ENG,OPS`.")
        return NowCommand(keys)
    if verb == "help":
        return HelpCommand()
    raise ParseError(f"Unknown digest command “{words[0]}”.\n{USAGE}")


def _parse_subscribe(words: list[str]) -> SubscribeCommand:
    if not words:
        raise ParseError(f"Which space? e.g. `digest subscribe ENG`.\n{USAGE}")
    keys, rest = _take_space_keys(words)
    frequency: Frequency | None = None
    weekday: Weekday | None = None
    at: tuple[int, int] | None = None
    while rest:
        word = rest[0].lower()
        if word in _FREQUENCY_WORDS:
            if frequency is not None:
                raise ParseError("Give only one of daily, weekdays or weekly <day>.")
            frequency = _FREQUENCY_WORDS[word]
            rest = rest[1:]
            if frequency is Frequency.WEEKLY:
                if not rest or rest[0].lower() == "at":
                    raise ParseError("Which day? e.g. `weekly mon` or `weekly friday`.")
                weekday = _parse_weekday(rest[0])
                rest = rest[1:]
        elif word == "at" or _looks_like_time(rest):
            if at is not None:
                raise ParseError("Give only one time, e.g. `at 09:30`.")
            if word == "at":
                rest = rest[1:]
                if not rest:
                    raise ParseError("What time? e.g. `at 09:30` or `at 5pm`.")
            spec = rest[0]
            rest = rest[1:]
            if rest and rest[0].lower() in _MERIDIEMS:
                spec, rest = spec + rest[0], rest[1:]
            at = _parse_time(spec)
        elif word in _WEEKDAYS:
            raise ParseError(f"Did you mean `weekly {word}`?")
        else:
            raise ParseError(
                f"I don't understand “{rest[0]}”. Separate space keys with commas and give the "
                f"schedule as daily, weekdays or weekly <day>, then at HH:MM.\n{USAGE}"
            )
    hour, minute = at if at is not None else (DEFAULT_HOUR, DEFAULT_MINUTE)
    return SubscribeCommand(keys, frequency or Frequency.DAILY, hour, minute, weekday)


def _parse_unsubscribe(words: list[str]) -> UnsubscribeCommand:
    if not words:
        raise ParseError("Which space? e.g. `digest unsubscribe ENG` or `digest unsubscribe all`.")
    if len(words) == 1 and words[0].lower() == "all":
        return UnsubscribeCommand((), all_spaces=True)
    keys, rest = _take_space_keys(words)
    _expect_end(rest, "Separate space keys with commas, e.g. `digest unsubscribe ENG,OPS`.")
    return UnsubscribeCommand(keys)


def _take_space_keys(words: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """Consume a comma-separated key list (bot.confluence.space_keys)."""
    try:
        return take_space_keys(words)
    except SpaceKeyError as exc:
        raise ParseError(str(exc)) from exc


def _parse_weekday(word: str) -> Weekday:
    try:
        return _WEEKDAYS[word.lower()]
    except KeyError:
        raise ParseError(
            f"Unknown weekday “{word}”. Use mon, tue, wed, thu, fri, sat or sun."
        ) from None


def _looks_like_time(words: list[str]) -> bool:
    """A time without "at": it needs a colon or am/pm, so that a lone number is not guessed."""
    spec = words[0].lower()
    if len(words) > 1 and words[1].lower() in _MERIDIEMS:
        spec += words[1].lower()
    return bool(re.fullmatch(r"\d{1,2}(:\d{2}|(:\d{2})?(am|pm))", spec))


def _parse_time(spec: str) -> tuple[int, int]:
    match = _TIME.fullmatch(spec.lower())
    if match is None:
        raise ParseError(f"“{spec}” isn't a time. Use HH:MM (24-hour) like 09:30, or 9am / 5:30pm.")
    hour = int(match["hour"])
    minute = int(match["minute"] or 0)
    meridiem = match["meridiem"]
    if meridiem is not None:
        valid = 1 <= hour <= 12
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    else:
        valid = hour <= 23
    if not valid or minute > 59:
        raise ParseError(
            f"“{spec}” isn't a valid time. Use HH:MM (24-hour, 00:00 to 23:59) like 09:30, "
            "or 9am / 5:30pm."
        )
    return hour, minute


def _expect_end(rest: list[str], message: str) -> None:
    if rest:
        raise ParseError(f"Unexpected “{' '.join(rest)}”. {message}")
