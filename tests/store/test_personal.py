from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.store import Store

from .conftest import NOW


async def test_no_row_until_something_is_switched(store: Store) -> None:
    assert await store.preferences.get("T1", "U1") is None
    off = await store.preferences.set("T1", "U1", {"comments": False}, now=NOW)
    assert (off.mentions, off.comments, off.watching, off.tasks) == (True, False, True, True)
    assert (off.created_at, off.updated_at) == (NOW, NOW)
    assert await store.preferences.get("T1", "U1") == off
    assert await store.preferences.get("T2", "U1") is None  # per workspace


async def test_switching_keeps_the_kinds_not_named(store: Store) -> None:
    await store.preferences.set("T1", "U1", {"comments": False, "tasks": False}, now=NOW)
    later = NOW + timedelta(minutes=1)
    got = await store.preferences.set("T1", "U1", {"tasks": True, "watching": False}, now=later)
    assert (got.mentions, got.comments, got.watching, got.tasks) == (True, False, False, True)
    assert (got.created_at, got.updated_at) == (NOW, later)


async def test_two_changes_at_once_both_land(store: Store) -> None:
    await store.preferences.set("T1", "U1", {"mentions": True}, now=NOW)
    await asyncio.gather(
        store.preferences.set("T1", "U1", {"mentions": False}, now=NOW),
        store.preferences.set("T1", "U1", {"watching": False}, now=NOW),
    )
    got = await store.preferences.get("T1", "U1")
    assert got is not None and (got.mentions, got.watching) == (False, False)


async def test_delete(store: Store) -> None:
    await store.preferences.set("T1", "U1", {"mentions": False}, now=NOW)
    await store.preferences.set("T1", "U2", {"mentions": False}, now=NOW)
    assert await store.preferences.delete("T1", "U1")
    assert not await store.preferences.delete("T1", "U1")
    assert await store.preferences.get("T1", "U1") is None
    assert await store.preferences.get("T1", "U2") is not None


@pytest.mark.parametrize("changes", [{}, {"everything": False}])
async def test_unknown_or_no_kinds_are_refused(store: Store, changes: dict[str, bool]) -> None:
    with pytest.raises(ValueError, match="mentions"):
        await store.preferences.set("T1", "U1", changes)
