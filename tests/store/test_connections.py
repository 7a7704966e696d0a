from __future__ import annotations

from datetime import timedelta

import pytest

from bot.store import Store

from .conftest import NOW


async def test_put_get_update_delete(store: Store) -> None:
    assert await store.connections.get("T1", "U1") is None
    pending = await store.connections.put(
        team_id="T1", slack_user_id="U1", connection_id="conn-1", status="pending", now=NOW
    )
    assert (pending.status, pending.connection_id, pending.created_at) == ("pending", "conn-1", NOW)
    later = NOW + timedelta(minutes=5)
    active = await store.connections.put(
        team_id="T1",
        slack_user_id="U1",
        connection_id="conn-1",
        status="active",
        atlassian_account_id="557058:abc",
        atlassian_name="Ada",
        atlassian_email="ada@example.com",
        now=later,
    )
    assert active.status == "active"
    assert (active.atlassian_name, active.created_at, active.updated_at) == ("Ada", NOW, later)
    assert await store.connections.get("T1", "U1") == active
    assert await store.connections.get("T2", "U1") is None
    assert await store.connections.delete("T1", "U1")
    assert not await store.connections.delete("T1", "U1")
    assert await store.connections.get("T1", "U1") is None


async def test_mark_stale_only_touches_the_named_connection(store: Store) -> None:
    await store.connections.put(
        team_id="T1", slack_user_id="U1", connection_id="new", status="active", now=NOW
    )
    assert not await store.connections.mark_stale("T1", "U1", connection_id="old", now=NOW)
    got = await store.connections.get("T1", "U1")
    assert got is not None and got.status == "active"
    assert await store.connections.mark_stale("T1", "U1", now=NOW + timedelta(seconds=1))
    got = await store.connections.get("T1", "U1")
    assert got is not None and got.status == "stale"
    assert got.updated_at == NOW + timedelta(seconds=1)
    assert not await store.connections.mark_stale("T1", "nobody")


async def test_unknown_status_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="status"):
        await store.connections.put(
            team_id="T1",
            slack_user_id="U1",
            connection_id="c",
            status="broken",  # type: ignore[arg-type]
        )
