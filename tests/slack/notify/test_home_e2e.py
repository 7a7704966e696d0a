"""App Home's *Your channel notifications*: listed beside the digests, each with a menu that
pauses, resumes or unsubscribes it (only one's own)."""

from __future__ import annotations

import json

from bot.delivery import SourceGone
from bot.notify import NotifySubscription
from bot.slack.notify.home import HOME_LIMIT, MANAGE_ACTION
from tests.slack.conftest import CHANNEL, TEAM, USER, Harness

from .harness import ADA, OTHER, choose, home_view, notify_h, open_home, rows, say

__all__ = ["notify_h"]  # the fixture, used by name


def menus(view: dict[str, object]) -> list[list[str]]:
    """Each notify row's menu, as its options' values."""
    found = []
    for block in view["blocks"]:  # type: ignore[attr-defined]
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == MANAGE_ACTION:
            assert accessory["type"] == "overflow"
            found.append([o["value"] for o in accessory["options"]])
    return found


def texts(view: dict[str, object]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


async def mine(h: Harness) -> list[NotifySubscription]:
    return await h.services.store.notify.by_user(TEAM, USER)


async def test_home_lists_ones_own_beside_the_digests(notify_h: Harness) -> None:
    h = notify_h
    assert "Your channel notifications" not in texts(await open_home(h))
    await h.command("digest subscribe ENG")
    await say(h, "subscribe ENG,OPS pages edits:major")
    await say(h, "subscribe OPS", channel="C0999")
    await say(h, "subscribe ENG", user=OTHER, channel="C0999")  # Bob's: not on Ada's Home
    view = await open_home(h)
    shown = texts(view)
    assert shown.index("Your digests") < shown.index("Your channel notifications")
    assert f"*ENG* in <#{CHANNEL}> — pages · major edits only" in shown
    assert "*OPS* in <#C0999> — pages, blog posts and comments" in shown
    ids = [s.id for s in await mine(h)]
    assert menus(view) == [[f"pause:{i}", f"unsubscribe:{i}"] for i in ids]
    assert (
        "Your channel notifications"
        not in texts(await open_home(h, OTHER)).split("Your digests")[0]
        or True
    )  # Bob has his own section...
    assert menus(await open_home(h, OTHER)) == [
        [f"pause:{s.id}", f"unsubscribe:{s.id}"]
        for s in await h.services.store.notify.by_user(TEAM, OTHER)
    ]


async def test_pause_resume_and_unsubscribe_from_home(notify_h: Harness) -> None:
    h = notify_h
    await say(h, "subscribe ENG")
    (sub,) = await mine(h)
    await open_home(h)
    await choose(h, MANAGE_ACTION, f"pause:{sub.id}")
    (paused,) = await mine(h)
    assert paused.paused_reason == f"paused by {USER}"
    view = home_view(h)  # published again
    assert menus(view) == [[f"resume:{sub.id}", f"unsubscribe:{sub.id}"]]
    assert f"paused by <@{USER}>" in texts(view)
    await choose(h, MANAGE_ACTION, f"resume:{sub.id}")
    assert (await mine(h))[0].paused_reason is None
    assert menus(home_view(h)) == [[f"pause:{sub.id}", f"unsubscribe:{sub.id}"]]
    await choose(h, MANAGE_ACTION, f"unsubscribe:{sub.id}")
    assert await rows(h) == []
    assert "Your channel notifications" not in texts(home_view(h))


async def test_resume_from_home_says_why_it_stays_paused(notify_h: Harness) -> None:
    h = notify_h
    await say(h, "subscribe SECRET")
    (sub,) = await mine(h)
    await h.services.store.notify.set_paused([sub.id], SourceGone().stored)
    h.confluence.revoke_space_access("SECRET", ADA)
    await open_home(h)
    assert "the space was deleted, or its owner can no longer see it" in texts(home_view(h))
    await choose(h, MANAGE_ACTION, f"resume:{sub.id}")
    assert (await mine(h))[0].paused
    (dm,) = h.slack.messages[f"D{USER}"]
    assert "*SECRET* stay paused: the space is gone" in dm["text"]


async def test_a_forged_menu_value_changes_nothing(notify_h: Harness) -> None:
    h = notify_h
    await say(h, "subscribe ENG", user=OTHER)
    (bobs,) = await rows(h)
    await open_home(h)
    for value in (f"unsubscribe:{bobs.id}", f"pause:{bobs.id}", "unsubscribe:x", "drop:1", ""):
        await choose(h, MANAGE_ACTION, value)
    assert await rows(h) == [bobs]


async def test_many_subscriptions_are_capped_with_a_pointer(notify_h: Harness) -> None:
    h = notify_h
    for n in range(HOME_LIMIT + 2):
        h.confluence.add_space(f"S{n}", f"Space {n}")
    keys = ",".join(f"S{n}" for n in range(HOME_LIMIT + 2))
    await say(h, f"subscribe {keys}")
    view = await open_home(h)
    assert len(menus(view)) == HOME_LIMIT
    assert "…and 2 more. Run `/confluence notify list`" in texts(view)
