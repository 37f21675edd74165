"""Demo data on the server: the cache's generator writes a SQLite file, which is copied
table by table into the server database (SQLite or PostgreSQL) and logged for sync."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, Integer, Table, bindparam, select, text, update

from core.db import make_engine, sqlite_url
from core.demo import generate
from core.enums import Role
from core.models import Base, User
from sync.server import changelog
from sync.server.auth import hash_password
from sync.server.database import migrate, server_engine
from sync.server.numbering import continue_after_highest

# tables of the client alone or of the server's own bookkeeping
_SKIP = {"outbox", "sync_state", "drafts", "sync_counters", "changes", "alembic_version"}
_CHUNK = 5000


def load_demo(url: str, *, tickets: int, seed: int, password: str, tmp: str) -> int:
    """Fill the server database at `url` with demo data; staff and portal demo users
    all get `password`. Returns the number of rows copied."""
    source_path = Path(tmp) / "demo.sqlite3"
    generate(source_path, tickets=tickets, seed=seed, rebuild_fts=False)
    source = make_engine(sqlite_url(source_path))
    target = server_engine(url)
    migrate(target)
    copied = 0
    order = [t for t in Base.metadata.sorted_tables if _copied(t.name)]
    position = {t.name: i for i, t in enumerate(order)}
    with source.connect() as src, target.begin() as dst:
        later: list[tuple[Table, str]] = []
        for table in order:
            # a foreign key to a table copied later (a cycle: ticket <-> lead) is filled
            # in afterwards, so no constraint is ever violated on either database
            forward = [
                fk.parent.name
                for fk in table.foreign_keys
                if position.get(fk.column.table.name, -1) > position[table.name]
            ]
            later += [(table, name) for name in forward]
            result = src.execute(select(table))
            while rows := result.mappings().fetchmany(_CHUNK):
                dst.execute(table.insert(), [{**r, **dict.fromkeys(forward)} for r in rows])
                copied += len(rows)
        for table, name in later:
            pairs = src.execute(
                select(table.c.id, table.c[name]).where(table.c[name].is_not(None))
            ).all()
            if pairs:
                dst.execute(
                    table.update()
                    .where(table.c.id == bindparam("b_id"))
                    .values({name: bindparam("b_value")}),
                    [{"b_id": i, "b_value": v} for i, v in pairs],
                )
    if target.dialect.name == "postgresql":
        _advance_sequences(target, order)
    from sqlalchemy.orm import Session

    with Session(target) as session, session.begin():
        session.execute(
            update(User)
            .where(User.role.in_([Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.PORTAL]))
            .values(password_hash=hash_password(password))
        )
        # numbering continues after the demo's numbers
        continue_after_highest(session.connection())
        changelog.relog_all(session)
    source.dispose()
    target.dispose()
    return copied


def _copied(name: str) -> bool:
    return name not in _SKIP and not name.startswith("search")


def _advance_sequences(engine: Engine, tables: list[Table]) -> None:
    """Rows copied with their integer ids leave PostgreSQL's serial sequences behind."""
    with engine.begin() as conn:
        for table in tables:
            pk = list(table.primary_key.columns)
            if (len(pk) == 1 and pk[0].autoincrement is True) or (
                len(pk) == 1 and isinstance(pk[0].type, Integer) and pk[0].autoincrement
            ):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'),"
                        f" coalesce((SELECT max({pk[0].name}) FROM {table.name}), 0) + 1, false)"
                    )
                )
