"""Fixtures of the server tests: a live server on loopback over SQLite, and over
PostgreSQL where the test run has one (always in `make test`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.server_fixture import LiveServer, running_server


@pytest.fixture(params=["sqlite", "postgresql"])
def server_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite3'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def server(server_db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A real uvicorn server on a free loopback port over a fresh database."""
    with running_server(server_db_url, tmp_path) as live:
        yield live


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The same on SQLite only, for tests whose subject is not the database."""
    with running_server(f"sqlite:///{tmp_path / 'server.sqlite3'}", tmp_path) as live:
        yield live
