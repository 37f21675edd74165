"""Engines and sessions for the local cache and the server database.

Every SQLite connection, however opened, gets the same pragmas and the `hd_search_key`
function the search triggers call; a connection without it fails loudly on write.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from core.textnorm import search_key

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-65536",
)


IMMEDIATE = "hd_begin_immediate"
"""Execution option: `session.connection(execution_options={IMMEDIATE: True})` begins
the session's SQLite transaction with BEGIN IMMEDIATE."""


def prepare_sqlite(conn: sqlite3.Connection) -> None:
    """Pragmas and functions for one raw `sqlite3` connection to a cache."""
    conn.create_function("hd_search_key", 1, search_key, deterministic=True)
    for pragma in SQLITE_PRAGMAS:
        conn.execute(pragma)


def connect_raw(path: str | Path) -> sqlite3.Connection:
    """A raw connection for bulk work (sync apply, demo data): 3-5x faster than the ORM."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    prepare_sqlite(conn)
    return conn


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite ones are prepared as the cache needs."""
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            # the DBAPI starts transactions itself only around DML; let SQLAlchemy decide
            dbapi_conn.isolation_level = None
            prepare_sqlite(dbapi_conn)

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            # IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so a
            # transaction that reads then writes cannot be refused for a stale snapshot
            immediate = conn.get_execution_options().get(IMMEDIATE, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def sqlite_driver(conn: Connection) -> sqlite3.Connection:
    """A SQLAlchemy connection's own sqlite3 connection, in the same transaction: for
    bulk reads as plain tuples, and for the raw-connection helpers of the sync client."""
    raw = conn.connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):  # pragma: no cover - the cache is SQLite
        raise TypeError("needs the SQLite cache")
    return raw


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path)}"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
