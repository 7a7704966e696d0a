"""The personal DM feed (issue 14): mentions, comments on your pages and replies to yours,
updates to pages you watch, tasks assigned to you or due today — polled as each linked user,
delivered exactly once by DM, merged when close in time. See `service` for how, `confluence`
for the queries and their cost.
"""

from bot.personal.feed.events import FeedEvent, Hit, Ownership, Person, Ref, TaskHit, events_of
from bot.personal.feed.merge import MAX_ITEMS, MERGE_WINDOW, DmPlan, plan_dms
from bot.personal.feed.ports import (
    EVENT_TYPE,
    Activity,
    FeedPoster,
    FeedSource,
    FeedStore,
    FeedUser,
    FeedUsers,
)
from bot.personal.feed.service import (
    DELIVERY_KIND,
    POLL_KIND,
    FeedMemory,
    FeedService,
    PollResult,
    TickReport,
    anchor_key,
    watermark_key,
)

__all__ = [
    "DELIVERY_KIND",
    "EVENT_TYPE",
    "MAX_ITEMS",
    "MERGE_WINDOW",
    "POLL_KIND",
    "Activity",
    "DmPlan",
    "FeedEvent",
    "FeedMemory",
    "FeedPoster",
    "FeedService",
    "FeedSource",
    "FeedStore",
    "FeedUser",
    "FeedUsers",
    "Hit",
    "Ownership",
    "Person",
    "PollResult",
    "Ref",
    "TaskHit",
    "TickReport",
    "anchor_key",
    "events_of",
    "plan_dms",
    "watermark_key",
]
