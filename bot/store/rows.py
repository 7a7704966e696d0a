"""Many rows as one bound parameter, read as a table: the bulk statements' input.

A statement that joins a literal `VALUES` list is a new statement for every batch (SQLAlchemy
compiles it again each time: that was most of a batch's cost). Here the rows travel as one JSON
parameter and the database unpacks them (`json_each` on SQLite, `jsonb_to_recordset` on
PostgreSQL), so each statement is compiled once and a batch costs a `json.dumps`. One parameter
also keeps clear of the drivers' bound-parameter limits, however many rows there are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect

__all__ = ["Rows"]

Column = tuple[str, sa.types.TypeEngine[Any]]


class Rows:
    """A named table of `columns` whose rows are given at execution (`params`)."""

    def __init__(self, name: str, columns: Sequence[Column]) -> None:
        self.name = name
        self._columns = tuple(columns)

    def table(self, dialect: Dialect) -> sa.FromClause:
        """The rows as a table to join in a statement on `dialect`."""
        rows = sa.bindparam(self.name, type_=sa.Text())
        if dialect.name == "postgresql":
            unpacked = sa.func.jsonb_to_recordset(sa.cast(rows, JSONB)).table_valued(
                *(sa.column(name, type_) for name, type_ in self._columns)
            )
            return unpacked.render_derived(name=self.name, with_types=True)
        each = sa.func.json_each(rows).table_valued("value")
        fields = (
            sa.type_coerce(sa.func.json_extract(each.c.value, f"$.{name}"), type_).label(name)
            for name, type_ in self._columns
        )
        return sa.select(*fields).select_from(each).subquery(self.name)

    def params(self, dialect: Dialect, rows: Iterable[Sequence[Any]]) -> dict[str, str]:
        """The execution parameters that carry `rows` (tuples in the order of the columns)."""
        names = [name for name, _ in self._columns]
        data = [
            {name: _json_value(dialect, value) for name, value in zip(names, row, strict=True)}
            for row in rows
        ]
        return {self.name: json.dumps(data)}


def _json_value(dialect: Dialect, value: Any) -> Any:
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: pass an aware datetime (UTC)")
    value = value.astimezone(UTC)
    if dialect.name == "postgresql":
        return value.isoformat()
    # As SQLAlchemy stores a DateTime in SQLite (bot.store.schema.UTCDateTime): naive UTC text,
    # so that rows compare equal to what the table holds.
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
