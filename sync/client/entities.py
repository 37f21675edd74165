"""Which cache table each synced entity lands in, and how its wire values are stored.

Names come from `sync.entities` (shared with the server's change log, which the client
must not import); tables and column types are read from `core.models`, so a new column
needs no edit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Table

from core.models import Base
from core.models.base import sql_time
from sync.entities import ENTITY_CLASSES


@dataclass(frozen=True)
class EntityTable:
    """One entity's table: its key, columns and which of them need converting."""

    entity: str
    table: str
    key: str
    columns: tuple[str, ...]
    json_columns: frozenset[str]
    time_columns: frozenset[str]
    # whether rows carry `updated_seq` ("apply only if newer")
    seq_tracked: bool

    def row(self, data: dict[str, Any], seq: int) -> tuple[Any, ...]:
        """The values of `columns` for one wire row; unknown keys are ignored."""
        values = []
        for col in self.columns:
            if col == "updated_seq":
                values.append(seq)
            else:
                values.append(self.to_sql(col, data.get(col)))
        return tuple(values)

    def to_sql(self, column: str, value: Any) -> Any:
        """A wire value as the cache stores it (JSON text, UTC time text, 0/1)."""
        if value is None:
            return None
        if column in self.json_columns:
            return json.dumps(value, ensure_ascii=False)
        if column in self.time_columns and isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return sql_time(parsed)
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return value


def _describe(entity: str, cls: type[Base]) -> EntityTable:
    table = cls.__table__
    assert isinstance(table, Table)
    key = next(iter(table.primary_key.columns)).name
    return EntityTable(
        entity=entity,
        table=table.name,
        key=key,
        columns=tuple(c.name for c in table.columns),
        json_columns=frozenset(c.name for c in table.columns if isinstance(c.type, JSON)),
        time_columns=frozenset(
            c.name
            for c in table.columns
            if isinstance(c.type, DateTime) or isinstance(getattr(c.type, "impl", None), DateTime)
        ),
        seq_tracked="updated_seq" in table.columns,
    )


ENTITY_TABLES: dict[str, EntityTable] = {
    name: _describe(name, cls) for name, cls in ENTITY_CLASSES.items()
}
