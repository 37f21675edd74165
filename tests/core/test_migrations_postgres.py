"""D6 on the server's database: the same Alembic migrations build exactly the models'
schema on PostgreSQL, undo and redo cleanly, and the ORM stores aware UTC times and enums
there as it does in the SQLite cache. The SQLite-only search index (0002) stays out."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import psycopg
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import Engine, inspect, select, text

from core.db import make_engine, session_factory
from core.enums import Channel, Status
from core.models import Base, Ticket
from core.schema import alembic_config, upgrade
from core.tickets import create_ticket
from tests.core.test_migrations import _schema_diff
from tests.postgres import admin_connect, drop_orphans, fresh_database, libpq_dsn

TEHRAN = timezone(timedelta(hours=3, minutes=30))


@pytest.fixture
def empty_pg(pg_admin_url: str) -> Iterator[Engine]:
    """An engine on a new, empty PostgreSQL database (no template: the migrations run here)."""
    with fresh_database(pg_admin_url) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _version(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_d6_postgres_head_schema_matches_the_models(empty_pg: Engine) -> None:
    assert empty_pg.dialect.name == "postgresql"
    upgrade(empty_pg)
    assert _schema_diff(empty_pg) == []
    tables = _tables(empty_pg)
    assert set(Base.metadata.tables) <= tables
    # the FTS5 index is the cache's alone: nothing of it on the server
    assert not {t for t in tables if "_fts" in t or t == "search_meta"}
    assert _version(empty_pg) == _head()


def test_d2_postgres_queue_indexes_exist_with_their_columns(empty_pg: Engine) -> None:
    upgrade(empty_pg)
    expected = {
        ix.name: [c.name for c in ix.columns]
        for ix in Base.metadata.tables["tickets"].indexes
        if ix.name and ix.name.startswith("ix_tickets_queue_")
    }
    assert len(expected) >= 5
    actual = {ix["name"]: ix["column_names"] for ix in inspect(empty_pg).get_indexes("tickets")}
    for name, columns in expected.items():
        assert actual.get(name) == columns, name


def test_d6_postgres_downgrade_to_base_and_upgrade_again(empty_pg: Engine) -> None:
    upgrade(empty_pg)
    command.downgrade(alembic_config(empty_pg), "base")
    assert _tables(empty_pg) - {"alembic_version"} == set()
    with empty_pg.connect() as conn:
        # no constraint, sequence or index outlives its table
        leftovers = conn.execute(
            text(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relname NOT LIKE 'alembic_version%'"
            )
        ).scalar()
    assert leftovers == 0

    upgrade(empty_pg)
    assert _schema_diff(empty_pg) == []
    upgrade(empty_pg)  # a second upgrade to head changes nothing
    assert _version(empty_pg) == _head()


def test_d6_postgres_orm_round_trip_keeps_aware_utc_times_and_enums(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        assert engine.dialect.name == "postgresql"
        make_session = session_factory(engine)
        promised = datetime(2025, 3, 21, 9, 30, 15, 123456, tzinfo=TEHRAN)
        with make_session() as session:
            ticket = create_ticket(
                session,
                title="پرینتر کار نمی‌کند",
                contact_email="Reza@Example.com",
                channel=Channel.EMAIL,
            )
            ticket.sla_due_at = promised  # an aware non-UTC time is stored as UTC
            session.commit()
            ticket_id, created = ticket.id, ticket.created_at

        with make_session() as session:
            back = session.get_one(Ticket, ticket_id)
            assert back.title == "پرینتر کار نمی‌کند"
            assert back.created_at == created
            assert back.created_at.tzinfo is UTC
            assert back.sla_due_at == promised
            assert back.sla_due_at is not None and back.sla_due_at.tzinfo is UTC
            assert back.sla_due_at.hour == 6  # 09:30 in Tehran is 06:00 UTC
            assert back.status is Status.NEW
            assert back.channel is Channel.EMAIL
            assert back.custom_values == {}
            found = session.scalars(select(Ticket.id).where(Ticket.status == Status.NEW)).all()
            assert found == [ticket_id]

        with engine.connect() as conn:
            # stored as naive UTC and as the enum's value, the same as in the SQLite cache
            raw = conn.execute(
                text("SELECT status, channel, sla_due_at FROM tickets WHERE id = :id"),
                {"id": ticket_id},
            ).one()
        assert tuple(raw) == ("new", "email", datetime(2025, 3, 21, 6, 0, 15, 123456))
    finally:
        engine.dispose()


def test_db_url_is_a_fresh_database_at_head(db_url: str) -> None:
    """The `db_url` fixture server tests take: both halves start empty and at head."""
    engine = make_engine(db_url)
    try:
        assert _version(engine) == _head()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM tickets")).scalar() == 0
    finally:
        engine.dispose()


def test_fresh_database_drops_even_with_a_connection_left_open(pg_admin_url: str) -> None:
    with fresh_database(pg_admin_url) as url:
        name = url.rsplit("/", 1)[1]
        leaked = psycopg.connect(libpq_dsn(url))
    try:
        with pytest.raises(psycopg.OperationalError):
            leaked.execute("SELECT 1")  # ended by the drop
    finally:
        leaked.close()
    with admin_connect(pg_admin_url) as conn:
        left = conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,))
        assert left.fetchone() == (0,)


def test_drop_orphans_drops_only_databases_of_dead_runs(pg_admin_url: str) -> None:
    with subprocess.Popen([sys.executable, "-c", "pass"]) as gone:
        gone.wait()  # reaped: its pid names no live process
    dead = f"hd_test_{gone.pid}_{'0' * 12}"
    with admin_connect(pg_admin_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dead)))
    with fresh_database(pg_admin_url) as mine:
        dropped = drop_orphans(pg_admin_url)
        assert dead in dropped
        assert mine.rsplit("/", 1)[1] not in dropped  # this run is alive
        with admin_connect(pg_admin_url) as conn:
            names = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
        assert dead not in names
        assert mine.rsplit("/", 1)[1] in names
