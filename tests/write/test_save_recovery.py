"""Saves whose process died: the thread is not locked for long, the page the dead save made is
adopted (not orphaned, not made twice), and the sweep finds what to run again.

How the sweep tells users is tests/slack/test_save_recovery.py's; the real process kill is
tests/slack/test_save_crash.py's."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.write import Preflight
from bot.write.save import MAX_RESUMES
from tests.write.conftest import CHANNEL, TEAM, THREAD_TS, World
from tests.write.dead_saves import died, resumed_and_died


async def test_a_dead_holder_does_not_block_saving_the_thread(world: World) -> None:
    """Moved from tests/slack/test_save_recovery.py."""
    world.seed_thread(2)
    await died(world.store, world.request("Deploy plan"))  # died before creating anything
    assert await world.write.save(world.request("Deploy plan"), Preflight()) is not None
    (page,) = world.pages()
    assert page.data["title"] == "Deploy plan"
    assert await world.store.saves.get((TEAM, CHANNEL, THREAD_TS)) is None


async def test_the_users_next_save_adopts_the_orphan_under_the_new_title(world: World) -> None:
    """Moved from tests/slack/test_save_recovery.py."""
    world.seed_thread(2)
    orphan = world.confluence.add_page("ENG", "Deploy plan", "<p>half</p>")
    space_id = str(world.space["id"])
    await died(world.store, world.request("Deploy plan"), intent=("Deploy plan", space_id))
    result = await world.write.save(world.request("Deploy plan, Friday"), Preflight())
    (page,) = world.pages()
    assert page.id == orphan["id"] and page.data["title"] == "Deploy plan, Friday"
    assert world.creates() == 0
    assert result is not None and result.created  # the adopted page is new to the user


async def test_a_page_of_that_title_made_long_before_is_not_adopted(world: World) -> None:
    """Moved from tests/slack/test_save_recovery.py."""
    world.seed_thread(2)
    older = datetime.now(UTC) - timedelta(days=3)
    someone_elses = world.confluence.add_page("ENG", "Deploy plan", created_at=older)
    space_id = str(world.space["id"])
    await died(world.store, world.request("Deploy plan"), intent=("Deploy plan", space_id))
    await world.write.save(world.request("Deploy plan (2)"), Preflight())
    pages = {p.data["title"]: p for p in world.pages()}
    assert set(pages) == {"Deploy plan", "Deploy plan (2)"}
    assert pages["Deploy plan"].id == someone_elses["id"] and pages["Deploy plan"].properties == {}


async def test_the_page_id_a_dead_save_recorded_is_adopted(world: World) -> None:
    world.seed_thread(1)
    made = world.confluence.add_page("ENG", "Deploy plan", "<p>half</p>")
    await died(world.store, world.request("Deploy plan"), page_id=str(made["id"]))
    await world.write.save(world.request("Deploy plan"), Preflight(), resumed=True)
    (page,) = world.pages()
    assert page.id == made["id"] and "reply 0" in page.storage and world.creates() == 0


async def test_the_sweep_finds_interrupted_saves_and_gives_up_on_exhausted_ones(
    world: World,
) -> None:
    world.seed_thread(1)
    req = world.request("Deploy plan")
    await died(world.store, req)
    (left,) = await world.write.save.interrupted()
    assert left.request == req and not left.exhausted
    await resumed_and_died(world.store, req, MAX_RESUMES)  # each resume died too
    (left,) = await world.write.save.interrupted()
    assert left.exhausted
    assert await world.write.save.give_up(left.request)
    assert await world.write.save.interrupted() == []
    assert world.pages() == []


async def test_a_resumed_save_of_a_thread_someone_else_is_saving_leaves_it_to_them(
    world: World,
) -> None:
    world.seed_thread(1)
    world.threads.gate = asyncio.Event()
    running = asyncio.create_task(world.write.save(world.request("Deploy plan"), Preflight()))
    await world.threads.waiting.wait()
    assert await world.write.save(world.request("Deploy plan"), Preflight(), resumed=True) is None
    world.threads.gate.set()
    assert await running is not None and world.creates() == 1
