"""Where an event goes in a channel (pure): a new message, a reply in the thread of the page's
first message there, or folded into a message already posted (updated in place).

Two anchors per subscription remember messages (``bot.delivery.anchors``):
- ("notify-thread", subscription, "page:<id>"): the page's first message in the channel; later
  activity on the page replies under it. Its data keeps the last version announced, so the next
  update's diff starts there.
- ("notify-merge", subscription, "page:<id>:<account>"): the last message telling an edit (or the
  creation) of the page by that person. Another edit of theirs within the merge window (counted
  from the first event that message told) is folded into it and the message is updated in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.delivery.anchors import Anchor, AnchorKey
from bot.notify.compose import Story
from bot.notify.events import Event

__all__ = [
    "MERGE_KIND",
    "THREAD_KIND",
    "Placement",
    "anchors_after",
    "merge_key",
    "place",
    "thread_key",
]

THREAD_KIND = "notify-thread"
MERGE_KIND = "notify-merge"

Action = Literal["post", "reply", "update"]


def thread_key(subscription_id: int, event: Event) -> AnchorKey:
    return AnchorKey(THREAD_KIND, str(subscription_id), event.topic)


def merge_key(subscription_id: int, event: Event) -> AnchorKey | None:
    """Only edits (and creations) merge: by page and person."""
    if event.kind == "commented":
        return None
    account = event.author.account_id or event.author.name
    return AnchorKey(MERGE_KIND, str(subscription_id), f"{event.topic}:{account}")


@dataclass(frozen=True, slots=True)
class Placement:
    """What to do with one event in one channel."""

    action: Action
    story: Story  # what the message tells once this event is in it
    ts: str | None = None  # reply: the thread's parent; update: the message updated
    thread_ts: str | None = None  # the thread the message is in (a reply, or one updated)
    names: tuple[str, ...] = ()  # deliveries the message carried before (update)
    opened_at: datetime | None = None  # when the message's first event happened (update)


def place(
    event: Event,
    thread: Anchor | None,
    merge: Anchor | None,
    merge_window: timedelta,
) -> Placement:
    """Where `event` goes, given the page's thread and the author's open merge, if any."""
    if event.kind == "commented":
        if thread is not None:
            return Placement("reply", Story.of(event), ts=thread.ts, thread_ts=thread.ts)
        return Placement("post", Story.of(event))
    if merge is not None and event.when - merge.opened_at <= merge_window:
        story = Story.from_data(merge.data.get("story") or {})
        if story is not None and story.kind != "commented":
            return Placement(
                "update",
                story.folded(event),
                ts=merge.ts,
                thread_ts=_text(merge.data.get("thread_ts")),
                names=merge.names,
                opened_at=merge.opened_at,
            )
    if thread is not None:
        story = Story.of(event)
        announced = thread.data.get("version")
        if story.kind == "created":  # created and edited before the last poll saw it
            story = Story("updated", story.last_version, story.last_version, story.messages)
        if isinstance(announced, int):
            story = story.since(announced)
        return Placement("reply", story, ts=thread.ts, thread_ts=thread.ts)
    return Placement("post", Story.of(event))


def anchors_after(
    subscription_id: int,
    event: Event,
    placement: Placement,
    channel_id: str,
    ts: str,
    name: str,
    thread: Anchor | None,
    now: datetime,
) -> list[Anchor]:
    """The anchors to write once `event` was delivered as `placement`, as message `ts`, its
    delivery named `name`."""
    version = placement.story.last_version if event.kind != "commented" else None
    written: list[Anchor] = []
    if placement.action == "post":
        written.append(
            Anchor(
                thread_key(subscription_id, event),
                channel_id,
                ts,
                event.when,
                now,
                (name,),
                {"version": version},
            )
        )
    elif thread is not None and version is not None:
        data: dict[str, Any] = {**thread.data, "version": version}
        written.append(
            Anchor(
                thread.key, thread.channel_id, thread.ts, thread.opened_at, now, thread.names, data
            )
        )
    key = merge_key(subscription_id, event)
    if key is not None:
        opened = placement.opened_at if placement.action == "update" else None
        written.append(
            Anchor(
                key,
                channel_id,
                ts,
                opened or event.when,
                now,
                (*placement.names, name),
                {"story": placement.story.data(), "thread_ts": placement.thread_ts},
            )
        )
    return written


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
