"""Plain data passed into and out of the conversion functions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class References:
    """Ids a caller must resolve to names before converting (one lookup per unique id)."""

    user_ids: frozenset[str] = frozenset()
    usergroup_ids: frozenset[str] = frozenset()
    channel_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Names:
    """Display names by Slack id; ids missing here render as the raw id (e.g. "@U123")."""

    users: Mapping[str, str] = field(default_factory=dict)
    usergroups: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FileOutcome:
    """What the caller did with one Slack file.

    `attachment_filename` is set when the file was uploaded as a page attachment; otherwise
    `error` says why not (failed download, over size, ...).
    """

    name: str
    attachment_filename: str | None = None
    is_image: bool = False
    error: str | None = None


@dataclass(frozen=True)
class ThreadContext:
    """Everything besides the messages that a thread document needs."""

    channel_name: str
    permalink: str | None
    tz: ZoneInfo
    saved_by: str
    names: Names = field(default_factory=Names)
    files: Mapping[str, FileOutcome] = field(default_factory=dict)  # by Slack file id
    # Footer line; None means "Saved from Slack by <saved_by>".
    attribution: str | None = None
