"""Polling for Confluence activity, shared by channel notifications (bot.notify) and personal
feeds (bot.personal): pure window and slot arithmetic, and the watermark port the store fits.

- `next_window(watermark, now)`: what a poll group asks Confluence for this round (an overlap
  behind the watermark, because CQL dates are to the minute; a catch-up limit beyond which older
  activity is only summarised).
- `slot`, `due`, `stretched_interval`: spreading many polls (one per user) evenly over an
  interval, and stretching the interval to what the request budget allows.
- `WatermarkStore`, `WatermarkAdvance`: where each poll group got to, in the database
  (``bot.store.watermarks``); an advance is a delivery `Followup`, written with the completions.

No I/O, no Slack, Confluence or database imports.
"""

from bot.polling.ports import WatermarkAdvance, WatermarkStore
from bot.polling.spread import due, slot, stretched_interval
from bot.polling.window import CATCH_UP, OVERLAP, Window, next_window

__all__ = [
    "CATCH_UP",
    "OVERLAP",
    "WatermarkAdvance",
    "WatermarkStore",
    "Window",
    "due",
    "next_window",
    "slot",
    "stretched_interval",
]
