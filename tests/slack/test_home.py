"""App Home assembled from the sections features add, in slot order, without knowing them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from bot.slack import blocks
from bot.slack.caller import Caller
from bot.slack.home import AppHome, Section, Slot

ANN = Caller("U1", "T1", "ann")


def text_section(text: str, asked: list[Caller] | None = None) -> Section:
    async def section(caller: Caller) -> Sequence[dict[str, Any]]:
        if asked is not None:
            asked.append(caller)
        return [blocks.section(text)] if text else []

    return section


def texts(view: dict[str, Any]) -> list[str]:
    return [block["text"]["text"] for block in view["blocks"]]


async def test_sections_show_by_slot_then_in_the_order_added() -> None:
    home = AppHome()
    asked: list[Caller] = []
    home.add(Slot.FEATURES, text_section("digests", asked))
    home.add(Slot.HELP, text_section("help"))
    home.add(Slot.FEATURES, text_section("notifications"))
    home.add(Slot.STATUS, text_section("status"))
    home.add(Slot.ACCOUNT, text_section(""))  # a section may have nothing to show
    view = await home.view(ANN)
    assert view["type"] == "home"
    assert texts(view) == ["status", "help", "digests", "notifications"]
    assert asked == [ANN]


async def test_a_failing_section_is_not_hidden() -> None:
    async def broken(caller: Caller) -> Sequence[dict[str, Any]]:
        raise RuntimeError("database gone")

    home = AppHome()
    home.add(Slot.STATUS, text_section("status"))
    home.add(Slot.FEATURES, broken)
    with pytest.raises(RuntimeError):
        await home.view(Caller("U1", None, "U1"))


async def test_publish_sends_the_users_view() -> None:
    published: list[dict[str, Any]] = []

    class Client:
        async def views_publish(self, *, user_id: str, view: dict[str, Any]) -> None:
            published.append({"user_id": user_id, "view": view})

    home = AppHome()
    home.add(Slot.STATUS, text_section("status"))
    await home.publish(Client(), Caller("U7", "T1", "bo"))  # type: ignore[arg-type]
    assert published[0]["user_id"] == "U7" and texts(published[0]["view"]) == ["status"]
