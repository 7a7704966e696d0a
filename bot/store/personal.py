"""Per-user personal notification preferences (bot.personal owns the port this fits)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store._sql import changed, insert, resolve_now
from bot.store.engine import read_transaction, write_transaction
from bot.store.models import NOTIFICATION_KINDS, NotificationPreferences, UserConnection
from bot.store.schema import personal_preferences as pp
from bot.store.schema import user_connections as uc


def _preferences(row: RowMapping) -> NotificationPreferences:
    return NotificationPreferences(**{column.name: row[column.name] for column in pp.c})


def _key(team_id: str, slack_user_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(pp.c.team_id == team_id, pp.c.slack_user_id == slack_user_id)


class PersonalPreferences:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, team_id: str, slack_user_id: str) -> NotificationPreferences | None:
        async with read_transaction(self._engine) as conn:
            result = await conn.execute(sa.select(pp).where(_key(team_id, slack_user_id)))
            row = result.mappings().one_or_none()
        return None if row is None else _preferences(row)

    async def set(
        self,
        team_id: str,
        slack_user_id: str,
        changes: Mapping[str, bool],
        *,
        now: datetime | None = None,
    ) -> NotificationPreferences:
        """Switch the kinds named in `changes` on or off, the others as they were (all on for a
        user without a row), in one statement: two changes at once both land."""
        unknown = set(changes) - set(NOTIFICATION_KINDS)
        if unknown or not changes:
            raise ValueError(
                f"changes must name some of {NOTIFICATION_KINDS}, got {sorted(changes)}"
            )
        now = resolve_now(now)
        switched = {kind: bool(on) for kind, on in changes.items()}
        values = {kind: switched.get(kind, True) for kind in NOTIFICATION_KINDS}
        async with write_transaction(self._engine) as conn:
            statement = (
                insert(conn, pp)
                .values(
                    team_id=team_id,
                    slack_user_id=slack_user_id,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
                .on_conflict_do_update(
                    index_elements=[pp.c.team_id, pp.c.slack_user_id],
                    set_={**switched, "updated_at": now},
                )
                .returning(*pp.c)
            )
            row = (await conn.execute(statement)).mappings().one()
        return _preferences(row)

    async def delete(self, team_id: str, slack_user_id: str) -> bool:
        async with write_transaction(self._engine) as conn:
            return await changed(conn, sa.delete(pp).where(_key(team_id, slack_user_id)))

    async def linked(self) -> list[tuple[UserConnection, NotificationPreferences | None]]:
        """Every user with a connection of their own that is active or stale and names their
        Atlassian account, with their preferences (None: never chosen, all on); one query."""
        statement = (
            sa.select(uc, *(pp.c[kind].label(f"pp_{kind}") for kind in NOTIFICATION_KINDS))
            .add_columns(
                pp.c.created_at.label("pp_created_at"), pp.c.updated_at.label("pp_updated_at")
            )
            .select_from(
                uc.outerjoin(
                    pp,
                    sa.and_(pp.c.team_id == uc.c.team_id, pp.c.slack_user_id == uc.c.slack_user_id),
                )
            )
            .where(uc.c.status.in_(("active", "stale")), uc.c.atlassian_account_id.is_not(None))
            .order_by(uc.c.team_id, uc.c.slack_user_id)
        )
        async with read_transaction(self._engine) as conn:
            rows = (await conn.execute(statement)).mappings().all()
        found: list[tuple[UserConnection, NotificationPreferences | None]] = []
        for row in rows:
            link = UserConnection(**{column.name: row[column.name] for column in uc.c})
            chosen = None
            if row["pp_created_at"] is not None:
                chosen = NotificationPreferences(
                    team_id=link.team_id,
                    slack_user_id=link.slack_user_id,
                    created_at=row["pp_created_at"],
                    updated_at=row["pp_updated_at"],
                    **{kind: bool(row[f"pp_{kind}"]) for kind in NOTIFICATION_KINDS},
                )
            found.append((link, chosen))
        return found
