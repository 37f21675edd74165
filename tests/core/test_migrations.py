"""D6: the Alembic migrations build exactly the schema the models describe, in WAL mode,
with the queue indexes, and can be undone and redone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from core.db import make_engine, sqlite_url
from core.models import Base
from core.schema import alembic_config, upgrade

FTS_TABLES = ("tickets", "messages", "contacts", "kb_articles")


# raw tables of the search index migration (0002), kept outside the ORM models on purpose
SEARCH_TABLES = frozenset({"search_meta"})


def _is_fts(name: str | None) -> bool:
    return name is not None and (
        name in SEARCH_TABLES or any(name.startswith(f"{t}_fts") for t in FTS_TABLES)
    )


def _include_name(name: str | None, type_: str, _parent: Any) -> bool:
    if type_ == "table":
        return name != "alembic_version" and not _is_fts(name)
    return True


def _schema_diff(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": _include_name}
        )
        return list(compare_metadata(ctx, Base.metadata))


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(sqlite_url(tmp_path / "fresh.sqlite3"))
    yield engine
    engine.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_d6_head_schema_matches_the_models(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    assert _schema_diff(empty_engine) == []
    assert set(Base.metadata.tables) <= _tables(empty_engine)


def test_d6_cache_is_in_wal_mode(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_d2_queue_indexes_exist_with_their_columns(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    expected = {
        ix.name: [c.name for c in ix.columns]
        for ix in Base.metadata.tables["tickets"].indexes
        if ix.name and ix.name.startswith("ix_tickets_queue_")
    }
    assert "ix_tickets_queue_priority" in expected
    assert len(expected) >= 5
    actual = {ix["name"]: ix["column_names"] for ix in inspect(empty_engine).get_indexes("tickets")}
    for name, columns in expected.items():
        assert actual.get(name) == columns, name


def test_d6_fts_tables_and_triggers_exist(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    tables = _tables(empty_engine)
    for table in FTS_TABLES:
        assert {f"{table}_fts", f"{table}_fts_map"} <= tables
    with empty_engine.connect() as conn:
        triggers = set(
            conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars()
        )
    assert {f"{t}_fts_{op}" for t in FTS_TABLES for op in ("ins", "upd", "del")} <= triggers


def test_d6_downgrade_to_base_and_upgrade_again(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    command.downgrade(alembic_config(empty_engine), "base")
    left = _tables(empty_engine) - {"alembic_version"}
    assert left == set()
    with empty_engine.connect() as conn:
        triggers = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
        ).scalar()
    assert triggers == 0

    upgrade(empty_engine)
    assert _schema_diff(empty_engine) == []
    # the search triggers work after the round trip
    with empty_engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO tickets (id, version, created_at, updated_at, title, description,"
            " contact_email, status, severity, impact, priority, channel, custom_values,"
            " archived, staff_state, customer_state) VALUES ('t1', 1, '2024-01-01 00:00:00',"
            " '2024-01-01 00:00:00', 'پیامک', '', 'a@example.com', 'new', 0, 0, 0, 'agent',"
            " '{}', 0, 'unread', 'read')"
        )
        found = conn.exec_driver_sql(
            "SELECT m.id FROM tickets_fts f JOIN tickets_fts_map m ON m.doc = f.rowid"
            " WHERE tickets_fts MATCH hd_search_key('پیامک')"
        ).scalar()
    assert found == "t1"


def test_d6_upgrade_is_idempotent(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
