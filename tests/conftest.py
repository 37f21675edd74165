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


# --- PostgreSQL (scripts/test-postgres.sh; `make test` sets HELPDESK_TEST_PG) -------------
# Server tests take `db_url` and run twice: on a migrated SQLite file and on a fresh
# PostgreSQL database (`-k sqlite` / `-k postgresql` pick one). Without HELPDESK_TEST_PG the
# PostgreSQL half skips; with HELPDESK_REQUIRE_PG=1 (make test, CI) it fails instead.

from core.schema import upgrade  # noqa: E402  (this section is appended on purpose)
from tests.postgres import (  # noqa: E402
    TEMPLATE_PREFIX,
    create_database,
    drop_database,
    drop_orphans,
    fresh_database,
    server_answers,
    with_database,
)

PG_URL_ENV = "HELPDESK_TEST_PG"
PG_REQUIRED_ENV = "HELPDESK_REQUIRE_PG"


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """The test server's URL (database `postgres`), checked to answer once per run."""
    url = os.environ.get(PG_URL_ENV, "")
    required = os.environ.get(PG_REQUIRED_ENV) == "1"
    problem = server_answers(url) if url else f"{PG_URL_ENV} is not set"
    if problem is None:
        return url
    message = f"no test PostgreSQL ({problem}); run `bash scripts/test-postgres.sh`"
    if required:
        pytest.fail(f"{PG_REQUIRED_ENV}=1 but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_template(pg_admin_url: str) -> Iterator[str]:
    """One database migrated to head per run; each test's database is a copy of it."""
    drop_orphans(pg_admin_url)  # what killed runs left in the (in-memory) cluster
    name = create_database(pg_admin_url, prefix=TEMPLATE_PREFIX)
    try:
        engine = make_engine(with_database(pg_admin_url, name))
        try:
            upgrade(engine)
        finally:
            engine.dispose()  # CREATE DATABASE ... TEMPLATE refuses while anyone is connected
        yield name
    finally:
        drop_database(pg_admin_url, name)


@pytest.fixture
def pg_url(pg_admin_url: str, pg_template: str) -> Iterator[str]:
    """A fresh PostgreSQL database at head, dropped after the test."""
    with fresh_database(pg_admin_url, template=pg_template) as url:
        yield url


@pytest.fixture(
    params=[pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql")]
)
def db_url(request: pytest.FixtureRequest) -> str:
    """A database at head, once on SQLite (a copy of the cache template), once on PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_url(request.getfixturevalue("cache_path"))
    url: str = request.getfixturevalue("pg_url")
    return url
