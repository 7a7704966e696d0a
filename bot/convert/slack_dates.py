"""Slack `date` elements / `<!date^...>` tokens rendered as absolute text in a given zone.

Tokens as Slack documents them for the date element (docs.slack.dev/reference/block-kit/
block-elements/date-element) and `<!date>` (api.slack.com/reference/surfaces/formatting). Forms
that are relative to the reader's "now" ("today", "3 minutes ago", the year left out in the
current year) would go stale on a saved page, so they render as their absolute form. A token
Slack does not document makes the whole element fall back to its `fallback` text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, tzinfo

_TOKEN = re.compile(r"\{(\w+)\}")


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _date(dt: datetime) -> str:  # "February 18th, 2014"
    return f"{dt:%B} {_ordinal(dt.day)}, {dt.year}"


def _date_short(dt: datetime) -> str:  # "Feb 18, 2014"
    return f"{dt:%b} {dt.day}, {dt.year}"


def _date_long(dt: datetime) -> str:  # "Tuesday, February 18th, 2014"
    return f"{dt:%A}, {_date(dt)}"


_TOKENS: dict[str, Callable[[datetime], str]] = {
    "date_num": lambda dt: dt.strftime("%Y-%m-%d"),
    "date_slash": lambda dt: dt.strftime("%d/%m/%Y"),
    "date": _date,
    "date_pretty": _date,
    "date_short": _date_short,
    "date_short_pretty": _date_short,
    "date_long": _date_long,
    "date_long_pretty": _date_long,
    "day_divider_pretty": _date_long,
    "date_long_full": lambda dt: f"{dt:%B} {dt.day}, {dt.year}",  # "August 9, 2020"
    "time": lambda dt: dt.strftime("%H:%M"),
    "time_secs": lambda dt: dt.strftime("%H:%M:%S"),
    "ago": lambda dt: dt.strftime("%Y-%m-%d %H:%M"),
}


def format_slack_date(timestamp: object, fmt: str | None, fallback: str | None, tz: tzinfo) -> str:
    """Render like Slack would, in `tz`; `fallback` when the timestamp or a token is unusable
    (without a fallback, an unknown token stays visible as typed)."""
    try:
        dt = datetime.fromtimestamp(float(str(timestamp)), tz)
    except (TypeError, ValueError, OverflowError, OSError):
        return fallback or str(timestamp)
    if not fmt:
        return fallback or dt.strftime("%Y-%m-%d %H:%M")
    if fallback and any(name not in _TOKENS for name in _TOKEN.findall(fmt)):
        return fallback

    def repl(match: re.Match[str]) -> str:
        token = _TOKENS.get(match.group(1))
        return token(dt) if token else match.group(0)

    return _TOKEN.sub(repl, fmt)
