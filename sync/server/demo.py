"""Demo data on the server: the cache's generator writes a SQLite file, which is copied
table by table into the server database (SQLite or PostgreSQL) and logged for sync."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Table, bindparam, func, select, update

from core.db import make_engine, sqlite_url
from core.demo import generate
from core.enums import Role
from core.models import Base, SyncCounter, Ticket, User
from sync.server import changelog
from sync.server.auth import hash_password
from sync.server.database import migrate, server_engine
from sync.server.numbering import TICKET_NUMBER

# tables of the client alone or of the server's own bookkeeping
_SKIP = {"outbox", "sync_state", "sync_counters", "changes", "alembic_version"}
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
    from sqlalchemy.orm import Session

    with Session(target) as session, session.begin():
        session.execute(
            update(User)
            .where(User.role.in_([Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.PORTAL]))
            .values(password_hash=hash_password(password))
        )
        # numbering continues after the demo's numbers
        session.execute(
            update(SyncCounter)
            .where(SyncCounter.name == TICKET_NUMBER)
            .values(value=select(func.coalesce(func.max(Ticket.number), 0)).scalar_subquery())
        )
        changelog.relog_all(session)
    source.dispose()
    target.dispose()
    return copied


def _copied(name: str) -> bool:
    return name not in _SKIP and not name.startswith("search")
