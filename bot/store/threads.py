"""Which Confluence page a Slack thread was saved to."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store._sql import insert, resolve_now
from bot.store.engine import read_transaction, write_transaction
from bot.store.models import ThreadPage
from bot.store.schema import thread_pages

_KEY = ("team_id", "channel_id", "thread_ts")


def _thread_page(row: RowMapping) -> ThreadPage:
    return ThreadPage(**{column.name: row[column.name] for column in thread_pages.c})


class ThreadPages:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, team_id: str, channel_id: str, thread_ts: str) -> ThreadPage | None:
        statement = sa.select(thread_pages).where(
            thread_pages.c.team_id == team_id,
            thread_pages.c.channel_id == channel_id,
            thread_pages.c.thread_ts == thread_ts,
        )
        async with read_transaction(self._engine) as conn:
            row = (await conn.execute(statement)).mappings().one_or_none()
        return None if row is None else _thread_page(row)

    async def put(
        self,
        *,
        team_id: str,
        channel_id: str,
        thread_ts: str,
        page_id: str,
        space_id: str,
        site_id: str,
        title: str,
        created_by: str,
        now: datetime | None = None,
    ) -> ThreadPage:
        """Insert or replace the mapping; `created_at`/`created_by` of an existing one are kept."""
        now = resolve_now(now)
        changes = {
            "page_id": page_id,
            "space_id": space_id,
            "site_id": site_id,
            "title": title,
            "updated_at": now,
        }
        async with write_transaction(self._engine) as conn:
            statement = (
                insert(conn, thread_pages)
                .values(
                    team_id=team_id,
                    channel_id=channel_id,
                    thread_ts=thread_ts,
                    created_by=created_by,
                    created_at=now,
                    **changes,
                )
                .on_conflict_do_update(index_elements=list(_KEY), set_=changes)
                .returning(*thread_pages.c)
            )
            row = (await conn.execute(statement)).mappings().one()
        return _thread_page(row)

    async def delete(self, team_id: str, channel_id: str, thread_ts: str) -> bool:
        statement = sa.delete(thread_pages).where(
            thread_pages.c.team_id == team_id,
            thread_pages.c.channel_id == channel_id,
            thread_pages.c.thread_ts == thread_ts,
        )
        async with write_transaction(self._engine) as conn:
            return (await conn.execute(statement)).rowcount > 0
