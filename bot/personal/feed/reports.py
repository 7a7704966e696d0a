"""What a tick of the feed did (for logs, tests and the bench)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.personal.feed.events import FeedEvent
from bot.personal.feed.ports import FeedUser
from bot.polling import WatermarkAdvance

__all__ = ["Found", "PollResult", "TickReport"]


@dataclass(frozen=True, slots=True)
class PollResult:
    subject: str
    outcome: str  # "quiet", "sent", "retry", "error", "lost"
    events: int = 0
    sent: int = 0  # events delivered by this poll
    requests: int = 0


@dataclass(frozen=True, slots=True)
class Found:
    """What one user's read found (events may be empty), and how far it read."""

    user: FeedUser
    advance: WatermarkAdvance
    events: tuple[FeedEvent, ...]
    requests: int


@dataclass(slots=True)
class TickReport:
    interval: float
    due: int = 0
    polled: list[PollResult] = field(default_factory=list)
    told_paused: int = 0

    @property
    def requests(self) -> int:
        return sum(p.requests for p in self.polled)
