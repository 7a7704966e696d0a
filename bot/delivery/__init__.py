"""Delivering to Slack exactly once, shared by every feature that posts on its own (digests;
channel notifications and personal DMs next).

A feature names each delivery with a `ClaimKey` (kind, subject, item — e.g. ("digest",
subscription id, period) or ("notify", subscription id, event)) and goes through one `Courier`:

    courier = Courier(store.deliveries, history)             # history: the Slack side
    claims = await courier.claim(keys, now)                  # all due at once: one transaction
    if await courier.find_earlier(channel, claims, mark, since, thread_ts=None) is None:
        sent = await courier.send(channel, claims, post, now, then=followups)
    lost = await courier.flush()                             # end of the round

- `claim`: the keys that are free (new, lease run out, retry due); delivered or held ones are
  left out. Race-free across processes on PostgreSQL and SQLite.
- `find_earlier`: only for claims taken over from an attempt that may have posted (the crash
  window): looks for the message whose metadata carries the claims' `DeliveryMark`, in the
  channel or in the thread `thread_ts` (a reply).
- `send(…, post, …)`: `post` is any call that returns the message ts — chat.postMessage, a thread
  reply, or chat.update of an earlier message (whose mark then names every delivery it carries).
  Its outcome is recorded: delivered (`Posted`), given back with backoff (`Failed`, Retry-After
  honoured), or `ChannelGone`, for the feature to `pause` (the claims are held and each owner
  gets one DM per channel). `delivered` and `retry_later` record outcomes directly.
- `then`: the feature's own writes (`Followup`: ``bot.store.LastDelivered``, `AnchorWrite`,
  ``bot.polling.WatermarkAdvance``), written in the same transaction as the completions.
- Outcomes are written in batches (`BATCH_SIZE` of them, or `BATCH_SECONDS` after the first, or
  at `flush()`), well inside the lease; a process that dies first leaves claims that are taken
  over and found by their mark, so nothing is posted twice. `flush()` returns the claims found
  lost (another process took them over meanwhile).

`Anchor`s are messages a feature comes back to (a thread to reply under, a message updated in
place, a DM merged into), found by `AnchorKey` and written as `AnchorWrite` followups.

`ChannelPacer` keeps posts to ~1 per second per channel. Ports are owned here (`ClaimStore`,
`MessageHistory`); the database and Slack implement them (``bot.store.deliveries``,
``bot.slack.delivery``). No Slack, Confluence or database imports.
"""

from bot.delivery.anchors import Anchor, AnchorKey, AnchorStore, AnchorWrite
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
    "Anchor",
    "AnchorKey",
    "AnchorStore",
    "AnchorWrite",
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
