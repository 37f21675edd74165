"""Fresh, uniquely named databases on the test PostgreSQL (scripts/test-postgres.sh).

Each test gets its own database, so tests never see each other's rows and two test runs can
share one server. A database is copied from a migrated template (`CREATE DATABASE ...
TEMPLATE`), which costs milliseconds where migrating costs a second. Names carry the test
process's pid, so databases a killed run left behind can be told apart and dropped.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

PREFIX = "hd_test_"
TEMPLATE_PREFIX = "hd_tpl_"
_OWNED = re.compile(r"^hd_(?:test|tpl)_(\d+)_[0-9a-f]+$")


def with_database(url: str, name: str) -> str:
    """`url` (an SQLAlchemy URL) pointing at database `name`."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def libpq_dsn(url: str) -> str:
    """The libpq form of an SQLAlchemy URL (psycopg does not read `postgresql+psycopg`)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def admin_connect(admin_url: str) -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit connection: CREATE/DROP DATABASE refuse to run inside a transaction."""
    return psycopg.connect(libpq_dsn(admin_url), autocommit=True, connect_timeout=5)


def server_answers(admin_url: str) -> str | None:
    """None when the server answers `SELECT 1`, else why not."""
    try:
        with admin_connect(admin_url) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip() or type(exc).__name__
    return None


def create_database(admin_url: str, *, template: str | None = None, prefix: str = PREFIX) -> str:
    """A new empty (or `template`-copied) database; returns its name."""
    name = f"{prefix}{os.getpid()}_{uuid.uuid4().hex[:12]}"
    query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        query = sql.SQL("{} TEMPLATE {}").format(query, sql.Identifier(template))
    with admin_connect(admin_url) as conn:
        conn.execute(query)
    return name


def drop_database(admin_url: str, name: str) -> None:
    """Drop `name`, first ending any connection a test left open to it."""
    with admin_connect(admin_url) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_orphans(admin_url: str) -> list[str]:
    """Drop the test databases of runs that are no longer alive; returns their names."""
    with admin_connect(admin_url) as conn:
        names = [str(row[0]) for row in conn.execute("SELECT datname FROM pg_database")]
    orphans = [n for n in names if (m := _OWNED.match(n)) and not _alive(int(m.group(1)))]
    for name in orphans:
        drop_database(admin_url, name)
    return orphans


@contextmanager
def fresh_database(admin_url: str, *, template: str | None = None) -> Iterator[str]:
    """The SQLAlchemy URL of a new database, dropped on exit however the block ends."""
    name = create_database(admin_url, template=template)
    try:
        yield with_database(admin_url, name)
    finally:
        drop_database(admin_url, name)
