from __future__ import annotations

from datetime import timedelta

from bot.store import Store, ThreadPage

from .conftest import NOW

KEY = {"team_id": "T1", "channel_id": "C1", "thread_ts": "1714986000.000100"}


async def test_unknown_thread_has_no_page(store: Store) -> None:
    assert await store.threads.get(**KEY) is None


async def test_put_then_get(store: Store) -> None:
    saved = await store.threads.put(
        **KEY,
        page_id="98765",
        space_id="131073",
        site_id="cloud-1",
        title="Incident 42",
        created_by="U1",
        now=NOW,
    )
    assert saved == ThreadPage(
        **KEY,
        page_id="98765",
        space_id="131073",
        site_id="cloud-1",
        title="Incident 42",
        created_by="U1",
        created_at=NOW,
        updated_at=NOW,
    )
    assert await store.threads.get(**KEY) == saved
    assert await store.threads.get("T1", "C1", "1714986000.000200") is None


async def test_put_again_updates_the_page_and_keeps_creation(store: Store) -> None:
    await store.threads.put(
        **KEY, page_id="1", space_id="S", site_id="c", title="Old", created_by="U1", now=NOW
    )
    later = NOW + timedelta(hours=1)
    updated = await store.threads.put(
        **KEY, page_id="2", space_id="S2", site_id="c", title="New", created_by="U2", now=later
    )
    assert (updated.page_id, updated.space_id, updated.title) == ("2", "S2", "New")
    assert (updated.created_by, updated.created_at, updated.updated_at) == ("U1", NOW, later)
    assert await store.threads.get(**KEY) == updated


async def test_delete(store: Store) -> None:
    await store.threads.put(
        **KEY, page_id="1", space_id="S", site_id="c", title="t", created_by="U1", now=NOW
    )
    assert await store.threads.delete(**KEY)
    assert not await store.threads.delete(**KEY)
    assert await store.threads.get(**KEY) is None
