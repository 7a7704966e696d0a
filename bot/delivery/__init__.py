"""Delivering to Slack exactly once, shared by every feature that posts on its own.

Claims with leases in the database (one per `ClaimKey`), a Slack message metadata mark for the
crash window between posting and recording, retry backoff, pause-with-DM when a channel or what
it follows goes away, and per-channel pacing. Ports are owned here (`ClaimStore`,
`MessageHistory`); the database and Slack implement them (``bot.store.deliveries``,
``bot.slack.delivery``). No Slack, Confluence or database imports.
"""

from bot.delivery.backoff import BACKOFF_BASE, BACKOFF_MAX, PAUSED_RETRY, retry_delay
from bot.delivery.claims import (
    Claim,
    ClaimKey,
    ClaimStore,
    Completion,
    DeliveryRecord,
    DeliveryStatus,
    Followup,
    Receipt,
)
from bot.delivery.courier import Courier, Failed, Posted, Sent, TellPaused
from bot.delivery.mark import DeliveryMark
from bot.delivery.pacing import ChannelPacer
from bot.delivery.pause import AccessLost, ChannelGone, Paused, PauseReason, SourceGone
from bot.delivery.ports import ChannelUnavailable, MessageHistory, PostFailed
from bot.delivery.recorder import BATCH_SECONDS, BATCH_SIZE

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_MAX",
    "BATCH_SECONDS",
    "BATCH_SIZE",
    "PAUSED_RETRY",
    "AccessLost",
    "ChannelGone",
    "ChannelPacer",
    "ChannelUnavailable",
    "Claim",
    "ClaimKey",
    "ClaimStore",
    "Completion",
    "Courier",
    "DeliveryMark",
    "DeliveryRecord",
    "DeliveryStatus",
    "Failed",
    "Followup",
    "MessageHistory",
    "PauseReason",
    "Paused",
    "PostFailed",
    "Posted",
    "Receipt",
    "Sent",
    "SourceGone",
    "TellPaused",
    "retry_delay",
]
