"""Saving a thread as a page, through the use case with recording fakes for Slack's side."""

from __future__ import annotations

import asyncio

import pytest

from bot.confluence import PermissionDenied
from bot.write import (
    DuplicateTitle,
    NoSpace,
    NotAllowed,
    Preflight,
    ThreadBusy,
    ThreadUnavailable,
)
from bot.write.save_target import PROPERTY_KEY
from tests.write.conftest import CHANNEL, SITE, TEAM, THREAD_TS, USER, World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _passed(preflight: Preflight) -> bool:
    """Whether the save said its early checks passed (the form may close)."""
    return not preflight.failed({"probe": "x"})


async def test_a_save_makes_the_page_links_it_both_ways_and_says_so_in_the_thread(
    world: World,
) -> None:
    world.seed_thread(3)
    preflight = Preflight()
    result = await world.write.save(world.request("Deploy plan"), preflight)
    assert result is not None and result.created and result.skipped == []
    assert _passed(preflight)
    (page,) = world.pages("Deploy plan")
    assert result.page.id == page.id
    assert "reply 2" in page.storage and "Other Person" in page.storage
    assert "Saved from Slack by Some One" in page.storage
    (prop,) = page.properties.values()
    assert prop["key"] == PROPERTY_KEY
    assert prop["value"] == {"team": TEAM, "channel": CHANNEL, "thread_ts": THREAD_TS}
    mapping = await world.store.threads.get(TEAM, CHANNEL, THREAD_TS)
    assert mapping is not None and mapping.page_id == page.id
    url = f"{SITE}/wiki/spaces/ENG/pages/{page.id}/Deploy+plan"
    assert world.reply.announced == [(CHANNEL, THREAD_TS, "Deploy plan", url, True)]
    assert await world.store.saves.get((TEAM, CHANNEL, THREAD_TS)) is None  # lease released


async def test_two_saves_of_one_thread_at_once_make_one_page(world: World) -> None:
    """Moved from tests/slack/test_write_e2e.py (two modals saving one thread at once)."""
    world.seed_thread(3)
    world.threads.gate = asyncio.Event()
    first = asyncio.create_task(world.write.save(world.request("Deploy plan"), Preflight()))
    await world.threads.waiting.wait()  # the first save holds the thread
    second = Preflight()
    with pytest.raises(ThreadBusy):
        await world.write.save(world.request("Deploy plan (copy)"), second)
    assert not _passed(second)  # refused before the form closed: shown in it
    world.threads.gate.set()
    assert await first is not None
    assert world.creates() == 1

    # Once the first save is done the thread is free again: a later save updates that page.
    again = await world.write.save(world.request("Deploy plan", space=None), Preflight())
    assert again is not None and not again.created
    (page,) = world.pages("Deploy plan")
    assert world.creates() == 1 and page.data["version"]["number"] == 2


async def test_lost_database_mapping_is_found_through_the_page_property(world: World) -> None:
    """Moved from tests/slack/test_write_e2e.py."""
    world.seed_thread(2)
    await world.write.save(world.request("Deploy plan"), Preflight())
    (page,) = world.pages("Deploy plan")
    assert await world.store.threads.delete(TEAM, CHANNEL, THREAD_TS)
    world.threads.threads[(CHANNEL, THREAD_TS)].append(
        {"user": USER, "text": "after restore", "ts": "1700009999.000400", "thread_ts": THREAD_TS}
    )
    result = await world.write.save(world.request("Deploy plan"), Preflight())
    (again,) = world.pages("Deploy plan")
    assert again.id == page.id and "after restore" in again.storage
    assert result is not None and result.created  # new to the user: the mapping was lost
    assert world.creates() == 1


async def test_a_title_taken_by_another_page_fails_while_the_form_waits(world: World) -> None:
    world.confluence.add_page("ENG", "Deploy plan", "<p>someone else's</p>")
    world.seed_thread(1)
    preflight = Preflight()
    with pytest.raises(DuplicateTitle):
        await world.write.save(world.request("Deploy plan"), preflight)
    assert not _passed(preflight)
    assert world.creates() == 0 and world.threads.reads == []


async def test_a_reply_without_its_thread_saves_only_that_message(world: World) -> None:
    world.seed_thread(3)
    reply_ts = "1700000002.000200"
    req = world.request("Just one", message_ts=reply_ts, include_replies=False)
    await world.write.save(req, Preflight())
    (page,) = world.pages("Just one")
    assert "reply 1" in page.storage and "reply 2" not in page.storage
    assert "Deploy plan for Friday" not in page.storage


async def test_a_confluence_refusal_after_the_form_closed_fails_and_frees_the_thread(
    world: World,
) -> None:
    """Moved from tests/slack/test_write_e2e.py (Confluence failure during a save): the part
    about the submission's record is in test_submissions.py."""
    world.seed_thread(1)
    world.confluence.fail(r"/api/v2/pages$", 403, method="POST")
    preflight = Preflight()
    with pytest.raises(PermissionDenied):
        await world.write.save(world.request("Deploy plan"), preflight)
    assert _passed(preflight)  # the form had closed: the answer goes privately
    assert world.pages("Deploy plan") == [] and world.reply.announced == []
    # The thread is free at once, and the next save makes the page.
    assert await world.write.save(world.request("Deploy plan"), Preflight()) is not None
    assert len(world.pages("Deploy plan")) == 1


async def test_a_failed_upload_and_a_skipped_file_are_listed_by_name(world: World) -> None:
    """Moved from tests/slack/test_write_e2e.py (failed upload and oversize file): which files
    a download skips, and why, is tests/slack/write/test_files.py's."""
    world.seed_thread(2)
    messages = world.threads.threads[(CHANNEL, THREAD_TS)]
    image = {"id": "F0001", "name": "diagram.png", "mimetype": "image/png", "size": len(PNG)}
    big = {"id": "F0002", "name": "huge.bin", "mimetype": "application/octet-stream"}
    messages[1]["files"] = [image]
    messages[2]["files"] = [big]
    world.files.contents.update({"F0001": PNG, "F0002": "larger than the 25 MB limit"})
    world.confluence.fail(r"/child/attachment$", 500, method="PUT")
    result = await world.write.save(world.request("Files"), Preflight())
    (page,) = world.pages("Files")
    assert "diagram.png" in page.storage and "upload to Confluence failed" in page.storage
    assert "huge.bin" in page.storage and "25 MB limit" in page.storage
    assert "<ac:image" not in page.storage  # nothing references a missing attachment
    assert page.data["version"]["number"] == 2  # re-rendered once after the failed upload
    assert result is not None
    assert result.skipped == [
        "diagram.png (upload to Confluence failed)",
        "huge.bin (larger than the 25 MB limit)",
    ]


async def test_a_resave_uploads_only_files_the_page_lacks_as_minor_edits(world: World) -> None:
    world.seed_thread(1)
    messages = world.threads.threads[(CHANNEL, THREAD_TS)]
    messages[1]["files"] = [{"id": "F0001", "name": "a.png", "mimetype": "image/png"}]
    world.files.contents["F0001"] = PNG
    await world.write.save(world.request("Files"), Preflight())
    messages.append(
        {
            "user": USER,
            "text": "late",
            "ts": "1700009999.000300",
            "thread_ts": THREAD_TS,
            "files": [{"id": "F0009", "name": "notes.txt", "mimetype": "text/plain"}],
        }
    )
    world.files.contents["F0009"] = b"late notes"
    await world.write.save(world.request("Files", space=None), Preflight())
    assert world.files.downloaded == ["F0001", "F0009"]  # F0001 is on the page already
    uploads = world.confluence.requests_to("PUT", r"/child/attachment$")
    assert [r.form()["minorEdit"] for r in uploads] == [b"true", b"true"]


async def test_a_user_who_may_not_act_is_refused_before_confluence(world: World) -> None:
    world.seed_thread(1)
    world.access.refusal = "Connect first."
    preflight = Preflight()
    with pytest.raises(NotAllowed, match="Connect first"):
        await world.write.save(world.request("Deploy plan"), preflight)
    assert not _passed(preflight) and world.confluence.requests == []
    assert await world.store.saves.get((TEAM, CHANNEL, THREAD_TS)) is None


async def test_no_space_chosen_for_a_thread_never_saved_is_no_space(world: World) -> None:
    world.seed_thread(1)
    with pytest.raises(NoSpace):
        await world.write.save(world.request("Deploy plan", space=None), Preflight())
    assert world.creates() == 0


async def test_an_unreadable_thread_fails_after_the_form_closed(world: World) -> None:
    world.seed_thread(1)
    world.threads.unavailable = "Invite me."
    preflight = Preflight()
    with pytest.raises(ThreadUnavailable, match="Invite me"):
        await world.write.save(world.request("Deploy plan"), preflight)
    assert _passed(preflight) and world.creates() == 0
