"""Shared fixtures: a real SQLite cache built by the real migrations, one per test."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.cache import open_cache
from core.db import make_engine, session_factory, sqlite_url


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache migrated to head per run; tests copy it instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "cache.sqlite3"
    engine = open_cache(path)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def cache_path(migrated_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "cache.sqlite3"
    shutil.copy(migrated_template, target)
    return target


@pytest.fixture
def engine(cache_path: Path) -> Iterator[Engine]:
    eng = make_engine(sqlite_url(cache_path))
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as s:
        yield s
