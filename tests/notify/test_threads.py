"""Where an event goes (pure): new message, thread reply, or folded into a message in place."""

from __future__ import annotations

from datetime import timedelta

from bot.delivery import Anchor
from bot.notify.threads import anchors_after, merge_key, place, thread_key
from tests.notify.activity import BOB, T0, comment, event, hit

WINDOW = timedelta(minutes=5)
SUB = 7


def posted(
    key_event: object, placement: object, ts: str, name: str, thread: Anchor | None = None
) -> dict[str, Anchor]:
    anchors = anchors_after(SUB, key_event, placement, "C1", ts, name, thread, T0)  # type: ignore[arg-type]
    return {a.key.kind: a for a in anchors}


def test_creation_then_the_authors_edits_fold_in_then_others_reply() -> None:
    created = event(hit("100"))
    first = place(created, None, None, WINDOW)
    assert first.action == "post"
    anchors = posted(created, first, "1.0", "7@c100v1")
    thread, merge = anchors["notify-thread"], anchors["notify-merge"]
    assert thread.key == thread_key(SUB, created) and thread.data == {"version": 1}
    assert merge.key == merge_key(SUB, created) and merge.names == ("7@c100v1",)

    edit = event(hit("100", version=2, at=timedelta(minutes=3), created=timedelta()))
    second = place(edit, thread, merge, WINDOW)
    assert (second.action, second.ts, second.names) == ("update", "1.0", ("7@c100v1",))
    assert (second.story.kind, second.story.last_version) == ("created", 2)
    after = posted(edit, second, "1.0", "7@c100v2", thread)
    merged, thread = after["notify-merge"], after["notify-thread"]
    assert thread.data == {"version": 2} and thread.ts == "1.0"
    assert merged.names == ("7@c100v1", "7@c100v2") and merged.opened_at == T0

    late = event(hit("100", version=3, at=timedelta(minutes=6), created=timedelta()))
    third = place(late, thread, merged, WINDOW)  # the window runs from the first event
    assert (third.action, third.ts) == ("reply", "1.0")
    assert (third.story.kind, third.story.first_version, third.story.last_version) == (
        "updated",
        3,
        3,
    )

    by_bob = event(hit("100", version=3, at=timedelta(minutes=4), created=timedelta(), by=BOB))
    assert merge_key(SUB, by_bob) != merge_key(SUB, edit)
    assert place(by_bob, thread, None, WINDOW).action == "reply"


def test_a_reply_covers_the_versions_since_the_last_announced() -> None:
    update = event(hit("100", version=6, created=-timedelta(days=2)))
    thread = Anchor(thread_key(SUB, update), "C1", "1.0", T0, T0, (), {"version": 3})
    placement = place(update, thread, None, WINDOW)
    assert (placement.story.first_version, placement.story.last_version) == (4, 6)
    after = posted(update, placement, "2.0", "7@c100v6", thread)
    assert after["notify-thread"].ts == "1.0" and after["notify-thread"].data["version"] == 6
    assert after["notify-merge"].ts == "2.0" and after["notify-merge"].data["thread_ts"] == "1.0"


def test_an_edited_reply_is_updated_in_its_thread() -> None:
    update = event(hit("100", version=4, created=-timedelta(days=2)))
    thread = Anchor(thread_key(SUB, update), "C1", "1.0", T0, T0, (), {"version": 3})
    merge_data = {
        "story": {"kind": "updated", "first": 4, "last": 4, "messages": []},
        "thread_ts": "1.0",
    }
    merge = Anchor(merge_key(SUB, update), "C1", "2.0", T0, T0, ("7@c100v4",), merge_data)  # type: ignore[arg-type]
    again = event(hit("100", version=5, at=timedelta(minutes=1), created=-timedelta(days=2)))
    placement = place(again, thread, merge, WINDOW)
    assert (placement.action, placement.ts, placement.thread_ts) == ("update", "2.0", "1.0")


def test_comments_reply_in_the_thread_or_start_one() -> None:
    note = event(comment("c1", on="100"))
    assert place(note, None, None, WINDOW).action == "post"
    anchors = posted(note, place(note, None, None, WINDOW), "3.0", "7@mc1")
    assert set(anchors) == {"notify-thread"}  # comments never merge
    thread = anchors["notify-thread"]
    assert place(event(comment("c2", on="100")), thread, None, WINDOW).ts == "3.0"
