"""The local cache: one SQLite file in WAL mode in the user's data folder, kept at the
newest schema by the Alembic migrations."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from core.db import make_engine, sqlite_url
from core.paths import data_dir
from core.schema import upgrade
from core.search import ensure_search_index

CACHE_FILE = "cache.sqlite3"


def default_cache_path() -> Path:
    return data_dir() / CACHE_FILE


def open_cache(path: str | Path | None = None) -> Engine:
    """An engine on the cache at `path` (default: the data folder), migrated to head."""
    target = Path(path) if path is not None else default_cache_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(sqlite_url(target))
    upgrade(engine)
    with engine.begin() as conn:
        ensure_search_index(conn)  # a new normaliser version re-indexes once
    return engine
