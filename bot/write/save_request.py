"""What a save of a thread is asked to do, kept as JSON with its lease so it can run again."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.confluence import Page
from bot.write.pickers import SpaceChoice


@dataclass(frozen=True)
class SaveRequest:
    team_id: str
    user_id: str
    user_name: str
    channel_id: str
    thread_ts: str
    message_ts: str
    title: str
    space: SpaceChoice | None
    parent_id: str | None
    include_replies: bool
    idempotency_key: str

    @property
    def property_value(self) -> dict[str, str]:
        return {"team": self.team_id, "channel": self.channel_id, "thread_ts": self.thread_ts}

    @property
    def thread_key(self) -> tuple[str, str, str]:
        return (self.team_id, self.channel_id, self.thread_ts)

    def to_json(self) -> str:
        fields = {**self.__dict__, "space": self.space.value if self.space else None}
        return json.dumps(fields, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SaveRequest:
        fields = json.loads(text)
        return cls(**{**fields, "space": SpaceChoice.parse(fields.get("space"))})


@dataclass
class SaveResult:
    page: Page
    created: bool  # the page is new to the user (not a re-save of this thread)
    skipped: list[str]  # "name (reason)" for files that are not on the page
