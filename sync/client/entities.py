"""Which cache table each synced entity lands in, and how its wire values are stored.

Names come from `sync.entities` (shared with the server's change log, which the client
must not import); tables and column types are read from `core.models`, so a new column
needs no edit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
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
    # per column: None (stored as sent) or the function that converts its wire value
    _converters: tuple[Callable[[Any], Any] | None, ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        converters: list[Callable[[Any], Any] | None] = []
        for col in self.columns:
            if col in self.json_columns:
                converters.append(_json_text)
            elif col in self.time_columns:
                converters.append(_time_text)
            else:
                converters.append(None)
        object.__setattr__(self, "_converters", tuple(converters))

    def row(self, data: dict[str, Any], seq: int) -> tuple[Any, ...]:
        """The values of `columns` for one wire row; unknown keys are ignored."""
        return self.rows([(data, seq)])[0]

    def rows(self, items: list[tuple[dict[str, Any], int]]) -> list[tuple[Any, ...]]:
        """`row` for many wire rows at once: the apply's hot loop. A row carrying every
        column (what the server sends) is read by one `itemgetter` call, then only the
        JSON and time columns are converted; a row missing some goes the long way."""
        getter = itemgetter(*self.columns)
        converted = [
            (i, convert) for i, convert in enumerate(self._converters) if convert is not None
        ]
        seq_at = self.columns.index("updated_seq") if self.seq_tracked else -1
        out = []
        for data, seq in items:
            try:
                values = list(getter(data))
            except KeyError:
                values = [data.get(col) for col in self.columns]
                for i, value in enumerate(values):
                    if type(value) is dict or type(value) is list:
                        values[i] = _json_text(value)
            for i, convert in converted:
                if values[i] is not None:
                    values[i] = convert(values[i])
            if seq_at >= 0:
                values[seq_at] = seq
            out.append(tuple(values))
        return out

    def to_sql(self, column: str, value: Any) -> Any:
        """A wire value as the cache stores it (JSON text, UTC time text, 0/1)."""
        if value is None:
            return None
        if column in self.json_columns:
            return _json_text(value)
        if column in self.time_columns:
            return _time_text(value)
        if isinstance(value, dict | list):
            return _json_text(value)
        return value


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _time_text(value: Any) -> Any:
    """A wire time as `sql_time` writes it. The server's own shape (UTC `isoformat`,
    with or without microseconds) is cut as text, 10x cheaper than parsing; any other
    offset or shape is parsed."""
    if not isinstance(value, str):
        return value
    if value[10:11] == "T" and value[4:5] == "-" and value.endswith("+00:00"):
        if len(value) == 32 and value[19] == ".":
            return f"{value[:10]} {value[11:26]}"
        if len(value) == 25:
            return f"{value[:10]} {value[11:19]}.000000"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return sql_time(parsed)


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
