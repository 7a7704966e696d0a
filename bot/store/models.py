"""Plain immutable records returned by the repositories (never ORM objects or Rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

ScheduleKind = Literal["daily", "weekdays", "weekly"]
ConnectionStatus = Literal["pending", "active", "stale"]
# The kind a digest subscription's deliveries are filed under (see bot.delivery's ClaimKey).
DIGEST_DELIVERY_KIND = "digest"


@dataclass(frozen=True, slots=True)
class ThreadPage:
    team_id: str
    channel_id: str
    thread_ts: str
    page_id: str
    space_id: str
    site_id: str
    title: str
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ThreadSave:
    """A save of a thread in progress (or one that failed after a page may have been created)."""

    team_id: str
    channel_id: str
    thread_ts: str
    status: Literal["running", "failed"]
    owner: str
    lease_expires_at: datetime
    request: str  # the save request as JSON (enough to run it again)
    user_id: str
    create_title: str | None  # set just before the page is created...
    create_space_id: str | None
    creating_at: datetime | None
    page_id: str | None  # ...and the page's id just after
    resumes: int  # times another process took this save over
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SaveClaim:
    """The lease on one thread's save; `left` is what a dead or failed earlier save left."""

    owner: str
    left: ThreadSave | None


@dataclass(frozen=True, slots=True)
class Schedule:
    kind: ScheduleKind
    hour: int
    minute: int
    tz: str
    weekday: int | None = None  # 0 = Monday; required for "weekly", None otherwise

    def __post_init__(self) -> None:
        if self.kind not in ("daily", "weekdays", "weekly"):
            raise ValueError(f"unknown schedule kind {self.kind!r}")
        if (self.kind == "weekly") != (self.weekday is not None):
            raise ValueError("weekday is required for weekly schedules and only for them")
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, got {self.weekday}")
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise ValueError(f"invalid time of day {self.hour}:{self.minute}")


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    team_id: str
    channel_id: str
    space_key: str
    space_id: str
    schedule: Schedule
    created_by: str
    connection_id: str | None
    paused: bool
    paused_reason: str | None
    last_delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class UpsertResult:
    subscription: Subscription
    created: bool  # False: an existing subscription for the channel and space was updated


@dataclass(frozen=True, slots=True)
class UserConnection:
    team_id: str
    slack_user_id: str
    connection_id: str
    status: ConnectionStatus
    atlassian_account_id: str | None
    atlassian_name: str | None
    atlassian_email: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NotificationPreferences:
    """Which personal notifications a linked user wants by DM (no row: all of them)."""

    team_id: str
    slack_user_id: str
    mentions: bool
    comments: bool
    watching: bool
    tasks: bool
    created_at: datetime
    updated_at: datetime


# The kinds of personal notification, each a column of personal_preferences.
NOTIFICATION_KINDS = ("mentions", "comments", "watching", "tasks")


@dataclass(frozen=True, slots=True)
class LastDelivered:
    """A digest subscription's delivered window now ends at `window_end` (its next digest starts
    there): a followup of its delivery, written with the completions (bot.delivery.Followup)."""

    subscription_id: int
    window_end: datetime
    at: datetime


# --------------------------------------------------------------------------- channel notifications
# The records live here, beside the digests' Subscription, because the store (a lower layer) builds
# them; bot.notify.models re-exports them under the names the feature uses.

NotifyKind = Literal["page", "blogpost", "comment"]
EditsFilter = Literal["all", "major"]
NOTIFY_KINDS: tuple[NotifyKind, ...] = ("page", "blogpost", "comment")
# The kind a notification subscription's deliveries are filed under (bot.delivery's ClaimKey.name).
NOTIFY_DELIVERY_KIND = "notify"


@dataclass(frozen=True, slots=True)
class NotifyFilters:
    """What of a space's activity a channel hears about."""

    kinds: frozenset[NotifyKind] = frozenset(NOTIFY_KINDS)
    label: str | None = None  # a CQL label, validated at subscribe
    under_page_id: str | None = None  # only pages under this one (from a URL on our site or an id)
    edits: EditsFilter = "all"  # "major" skips versions Confluence marks minorEdit

    def __post_init__(self) -> None:
        if not self.kinds or not self.kinds <= frozenset(NOTIFY_KINDS):
            raise ValueError(f"kinds must be some of {NOTIFY_KINDS}, got {sorted(self.kinds)}")
        if self.edits not in ("all", "major"):
            raise ValueError(f"edits must be 'all' or 'major', got {self.edits!r}")


@dataclass(frozen=True, slots=True)
class NewNotifySubscription:
    """A (channel, space) subscription to write (`NotifySubscriptions.add`)."""

    team_id: str
    channel_id: str
    space_key: str
    space_id: str  # v2 id, resolved at subscribe
    created_by: str
    filters: NotifyFilters = NotifyFilters()
    under_title: str | None = None  # the `under:` page's title, for listings


@dataclass(frozen=True, slots=True)
class NotifySubscription:
    """One channel following one space (`subscribe ENG,OPS` makes two)."""

    id: int
    team_id: str
    channel_id: str
    space_key: str
    space_id: str
    created_by: str  # whose identity reads the space, who is told by DM on a pause
    filters: NotifyFilters
    paused_reason: str | None  # None = active; else PauseReason.stored or "paused by <user>"
    created_at: datetime
    under_title: str | None = None  # the `under:` page's title when subscribed, for listings

    @property
    def paused(self) -> bool:
        return self.paused_reason is not None
