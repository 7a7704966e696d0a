"""Creating a page from what a user typed."""

from __future__ import annotations

import pytest

from bot.write import CreateRequest, DuplicateTitle, NotAllowed, SpaceChoice
from tests.write.conftest import CHANNEL, TEAM, USER, World


def _request(world: World, title: str, body: str, parent_id: str | None = None) -> CreateRequest:
    space = SpaceChoice(str(world.space["id"]), str(world.space["key"]))
    return CreateRequest(TEAM, USER, "someone", CHANNEL, space, parent_id, title, body)


async def test_a_page_is_created_from_slack_formatting_with_the_attribution(world: World) -> None:
    parent = world.confluence.add_page("ENG", "Notes")
    page = await world.write.create(
        _request(world, "New idea", "*bold* & <b>raw</b>", str(parent["id"]))
    )
    (created,) = world.pages("New idea")
    assert page.id == created.id and created.data["parentId"] == parent["id"]
    assert "<strong>bold</strong> &amp; &lt;b&gt;raw&lt;/b&gt;" in created.storage
    assert "Posted from Slack by someone" in created.storage


async def test_a_user_acting_as_themselves_gets_no_attribution(world: World) -> None:
    world.access.attribution = None
    await world.write.create(_request(world, "Mine", "text"))
    (created,) = world.pages("Mine")
    assert "Posted from Slack" not in created.storage


async def test_a_taken_title_is_a_duplicate_title(world: World) -> None:
    world.confluence.add_page("ENG", "Taken")
    with pytest.raises(DuplicateTitle):
        await world.write.create(_request(world, "Taken", "x"))
    assert len(world.pages("Taken")) == 1


async def test_a_user_who_may_not_act_is_refused_before_confluence(world: World) -> None:
    world.access.refusal = "Connect first."
    with pytest.raises(NotAllowed):
        await world.write.create(_request(world, "T", "x"))
    assert world.confluence.requests == []
