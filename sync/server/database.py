"""The server's database: engine, schema, counters and change-logging sessions."""

from __future__ import annotations

import secrets

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine
from core.models import SyncCounter
from core.schema import upgrade
from sync.server import changelog, numbering
from sync.server.config import ServerConfig


def server_engine(url: str) -> Engine:
    """SQLite gets the cache's pragmas (WAL, busy timeout); PostgreSQL a pool sized for
    a threadpool of request handlers."""
    if url.startswith("postgresql"):
        return make_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)
    return make_engine(url)


def migrate(engine: Engine) -> None:
    """Bring the schema to head and make sure the counters exist (the epoch is random,
    so cursors of a rebuilt database are told to start over)."""
    upgrade(engine)
    with Session(engine) as session, session.begin():
        have = set(session.scalars(select(SyncCounter.name)))
        wanted = {
            changelog.COUNTER: 0,
            changelog.EPOCH: secrets.randbelow(2**31),
            changelog.PURGED_BELOW: 0,
            "ticket_number": 0,
        }
        for name, value in wanted.items():
            if name not in have:
                session.add(SyncCounter(name=name, value=value))
        session.flush()
        if engine.dialect.name == "postgresql" or "ticket_number" not in have:
            numbering.continue_after_highest(session.connection())


CONFIG_KEY = "server_config"


def server_sessions(
    engine: Engine,
    on_commit: changelog.Listener | None = None,
    config: ServerConfig | None = None,
) -> sessionmaker[Session]:
    """Sessions that log changes; `config` rides in `session.info` so rules deep in the
    write path (queueing SMS, say) read the server's settings without threading them
    through every call."""
    factory = sessionmaker(
        engine, expire_on_commit=False, info={CONFIG_KEY: config} if config else {}
    )
    changelog.install(factory, on_commit)
    return factory
