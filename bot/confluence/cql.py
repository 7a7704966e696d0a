"""Build CQL from user text safely, and deal with search highlight markers in one place."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

HL_START = "@@@hl@@@"
HL_END = "@@@endhl@@@"
CONTENT_TYPES = frozenset({"page", "blogpost", "comment", "attachment"})
_SPACE_KEY = re.compile(r"^~?[A-Za-z0-9_-]{1,255}$")
_HL = re.compile(re.escape(HL_START) + r"(.*?)" + re.escape(HL_END), re.DOTALL)


def quote(text: str) -> str:
    """A CQL string literal: double-quoted, with `\\` and `"` escaped. Control characters become spaces."""
    cleaned = "".join(ch if ch >= " " or ch == "\t" else " " for ch in text)
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def valid_space_key(key: str) -> bool:
    return bool(_SPACE_KEY.match(key))


def search_cql(
    text: str | None = None,
    *,
    types: Iterable[str] = ("page", "blogpost"),
    space_keys: Iterable[str] = (),
    modified_since: datetime | None = None,
    created_since: datetime | None = None,
    order_by: str | None = None,
    time_zone: str | tzinfo = UTC,
) -> str:
    """A CQL query for the given filters. User text only ever appears inside `quote(...)`.

    Dates are written in `time_zone`, which must be the zone Confluence reads the caller's dates
    in: their profile's (`users.current().time_zone`), else the site's
    (`settings.system_info().default_time_zone`)."""
    clauses: list[str] = []
    type_list = list(types)
    for t in type_list:
        if t not in CONTENT_TYPES:
            raise ValueError(f"unknown content type {t!r}")
    if len(type_list) == 1:
        clauses.append(f"type = {type_list[0]}")
    elif type_list:
        clauses.append(f"type in ({', '.join(type_list)})")
    keys = list(space_keys)
    for key in keys:
        if not valid_space_key(key):
            raise ValueError(f"invalid space key {key!r}")
    if len(keys) == 1:
        clauses.append(f"space = {quote(keys[0])}")
    elif keys:
        clauses.append(f"space in ({', '.join(quote(k) for k in keys)})")
    words = (text or "").strip()
    if words:
        clauses.append(f"text ~ {quote(words)}")
    if modified_since is not None:
        clauses.append(f"lastmodified >= {cql_datetime(modified_since, time_zone)}")
    if created_since is not None:
        clauses.append(f"created >= {cql_datetime(created_since, time_zone)}")
    query = " AND ".join(clauses) if clauses else "type in (page, blogpost)"
    if order_by is not None:
        if order_by not in {"lastmodified desc", "created desc", "lastmodified asc", "created asc"}:
            raise ValueError(f"unsupported order {order_by!r}")
        query += f" order by {order_by}"
    return query


def cql_datetime(when: datetime, time_zone: str | tzinfo = UTC) -> str:
    """`when` as a quoted CQL date literal ("yyyy-MM-dd HH:mm") in `time_zone`.

    Confluence reads a caller's date literals in the caller's time zone (their profile's, else the
    site's default), to the minute: the seconds are dropped, so `>=` this literal also matches the
    rest of that minute. A naive `when` is taken as already in `time_zone`.
    """
    zone = ZoneInfo(time_zone) if isinstance(time_zone, str) else time_zone
    local = when.astimezone(zone) if when.tzinfo is not None else when
    return quote(local.strftime("%Y-%m-%d %H:%M"))


def convert_highlights(text: str, wrap: Callable[[str], str] | None = None) -> str:
    """Replace @@@hl@@@x@@@endhl@@@ with `wrap(x)` (default: just x); drop stray markers."""
    out = _HL.sub(lambda m: wrap(m.group(1)) if wrap else m.group(1), text)
    return out.replace(HL_START, "").replace(HL_END, "")


def strip_highlights(text: str) -> str:
    return convert_highlights(text)
