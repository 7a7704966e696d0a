"""Stand-in for the foundation's polling package (replaced by it at merge): pure window and slot
arithmetic, and the watermark port."""

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
