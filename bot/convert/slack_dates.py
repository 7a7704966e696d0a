"""Slack `date` elements / `<!date^...>` tokens rendered as absolute text in a given zone."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

_TOKEN = re.compile(r"\{(\w+)\}")


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _token(name: str, dt: datetime) -> str | None:
    base = name.removesuffix("_pretty")  # "today"/"yesterday" would go stale in a saved page
    if base == "date_num":
        return dt.strftime("%Y-%m-%d")
    if base == "date":
        return f"{dt:%B} {_ordinal(dt.day)}, {dt.year}"
    if base == "date_short":
        return f"{dt:%b} {dt.day}, {dt.year}"
    if base == "date_long":
        return f"{dt:%A}, {dt:%B} {_ordinal(dt.day)}, {dt.year}"
    if base == "time":
        return dt.strftime("%H:%M")
    if base == "time_secs":
        return dt.strftime("%H:%M:%S")
    if base == "ago":  # relative text would go stale: use the absolute moment instead
        return dt.strftime("%Y-%m-%d %H:%M")
    return None


def format_slack_date(timestamp: object, fmt: str | None, fallback: str | None, tz: tzinfo) -> str:
    """Render like Slack would, in `tz`; `fallback` when the timestamp is unusable."""
    try:
        dt = datetime.fromtimestamp(float(str(timestamp)), tz)
    except (TypeError, ValueError, OverflowError, OSError):
        return fallback or str(timestamp)
    if not fmt:
        return fallback or dt.strftime("%Y-%m-%d %H:%M")

    def repl(match: re.Match[str]) -> str:
        return _token(match.group(1), dt) or match.group(0)

    return _TOKEN.sub(repl, fmt)
