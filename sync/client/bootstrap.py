"""Filling an empty cache from the server's snapshot pages (`GET /sync/snapshot`, see
`sync.server.snapshot`), and loading older conversations after it.

Each page commits in one transaction with the bookmark saying where the next starts, so
a crash resumes at the next page and a page is never half in. Rows arrive as column
lists in the cache's storage form and go in by plain `executemany`, with the search
index deferred (`apply.defer_search_index`; the engine's background steps build it after
the first sync) and the bulk tables' secondary indexes dropped until the last page.

The pull cursor stays empty until the last page is in; then it is set, in the same
transaction, to the first page's cursor (the change number read before any snapshot
row), and the pull brings whatever changed while the pages were read.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

from sync.client import state
from sync.client.apply import defer_search_index, page_transaction, upsert_sql
from sync.client.entities import ENTITY_TABLES
from sync.protocol import ChangeOut

# {"cursor": the first page's, "entity": the entity being read, "after": its next key,
#  "done": ticket rows in so far, "total": tickets the server counted, "indexes": the SQL
#  of the indexes dropped for the bootstrap's writes}
BOOTSTRAP = "bootstrap"
# {"after": the ticket id the next older-conversations page starts after, "done":
#  messages in so far, "total": messages the server counted}; absent when all are in
OLDER = "older_messages"
MESSAGE = "message"
TICKET = "ticket"


class PageError(ValueError):
    """A snapshot page this client cannot read (missing keys, unknown table)."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class Page:
    seq: int
    cursor: str
    next: str | None
    total: int | None
    tables: list[Table]

    def rows_of(self, table: str) -> int:
        return sum(len(t.rows) for t in self.tables if t.name == table)


def read_page(data: Any) -> Page:
    """A decoded snapshot page, checked for shape (values are checked by SQLite)."""
    try:
        tables = [
            Table(str(t["table"]), [str(c) for c in t["columns"]], t["rows"])
            for t in data["tables"]
        ]
        page = Page(
            seq=int(data["seq"]),
            cursor=str(data["cursor"]),
            next=None if data["next"] is None else str(data["next"]),
            total=None if data.get("total") is None else int(data["total"]),
            tables=tables,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PageError(f"not a snapshot page ({type(exc).__name__}: {exc})") from exc
    for table in page.tables:
        if not isinstance(table.rows, list) or any(
            not isinstance(r, list) or len(r) != len(table.columns) for r in table.rows
        ):
            raise PageError(f"rows of {table.name} do not match its columns")
    return page


# -- what to do ------------------------------------------------------------------------


def marker(conn: sqlite3.Connection, key: str) -> dict[str, Any] | None:
    raw = state.get(conn, key)
    loaded = json.loads(raw) if raw else None
    return loaded if isinstance(loaded, dict) else None


def wanted(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """Where a bootstrap is to go on from: a started one's bookmark, a fresh one for a
    cache that never synced and holds no ticket, else None (the pull's business)."""
    started = marker(conn, BOOTSTRAP)
    if started is not None:
        return started
    if state.get(conn, state.CURSOR) is not None:
        return None
    if conn.execute("SELECT 1 FROM tickets LIMIT 1").fetchone() is not None:
        return None
    return {"cursor": None, "entity": entities()[0], "after": "", "done": 0, "total": 0}


@cache
def entities() -> tuple[str, ...]:
    """The entities a bootstrap reads, parents first (attachments and recent messages
    come with their tickets)."""
    return tuple(e for e in ENTITY_TABLES if e not in (MESSAGE, "attachment"))


def following(entity: str) -> str | None:
    order = entities()
    at = order.index(entity)
    return order[at + 1] if at + 1 < len(order) else None


# -- writing ---------------------------------------------------------------------------


# association tables a page may carry; their rows are kept when already there
_CHILD_TABLES = frozenset(
    {
        "ticket_tags",
        "ticket_contacts",
        "ticket_followers",
        "team_members",
        "team_followers",
        "sales_team_members",
    }
)
_TABLES = {meta.table: meta for meta in ENTITY_TABLES.values()}


def _columns_of(conn: sqlite3.Connection, table: str) -> frozenset[str]:
    return frozenset(r[1] for r in conn.execute(f"PRAGMA table_info({table})"))


def _insert(
    conn: sqlite3.Connection, table: Table, *, keep_existing: bool, known: dict[str, frozenset[str]]
) -> int:
    """Insert one table's rows: the columns this cache has (a newer server's extra
    columns are left out), entity rows replacing what the cache holds unless
    `keep_existing`, association rows kept when already there."""
    if table.name not in _TABLES and table.name not in _CHILD_TABLES:
        raise PageError(f"unknown table {table.name}")
    if not table.rows:
        return 0
    if table.name not in known:
        known[table.name] = _columns_of(conn, table.name)
    have = known[table.name]
    if not have:  # a broken cache, not a server's fault: said as SQLite would
        raise sqlite3.OperationalError(f"no such table: {table.name}")
    # only this cache's own column names reach the SQL
    picked = [i for i, c in enumerate(table.columns) if c in have]
    names = [table.columns[i] for i in picked]
    rows: Iterator[Any] | list[list[Any]] = table.rows
    if len(picked) < len(table.columns):
        getter = itemgetter(*picked)
        rows = (getter(r) if len(picked) > 1 else (getter(r),) for r in table.rows)
    conn.executemany(_sql(table.name, tuple(names), keep_existing), rows)
    return len(table.rows)


@cache
def _sql(table: str, names: tuple[str, ...], keep_existing: bool) -> str:
    cols = ", ".join(names)
    marks = ", ".join("?" * len(names))
    meta = _TABLES.get(table)
    if meta is None or keep_existing or meta.key not in names:
        return f"INSERT OR IGNORE INTO {table} ({cols}) VALUES ({marks})"
    return upsert_sql(table, meta.key, names)


def _load(conn: sqlite3.Connection, page: Page, *, keep_existing: bool) -> int:
    known: dict[str, frozenset[str]] = {}
    saved = defer_search_index(conn)
    done = sum(_insert(conn, t, keep_existing=keep_existing, known=known) for t in page.tables)
    for sql in saved:
        conn.execute(sql)
    return done


# tables a bootstrap fills in bulk: their secondary indexes are dropped for it and made
# again at its end (one sort per index instead of ~20 B-tree inserts per ticket row:
# 100,000 tickets store in 1.1 s plus 3.3 s of CREATE INDEX instead of 6.4 s)
_BULK_TABLES = (
    "tickets",
    "ticket_tags",
    "ticket_contacts",
    "ticket_followers",
    "attachments",
    "messages",
)


def _drop_indexes(conn: sqlite3.Connection) -> list[str]:
    """Inside the first page's transaction: drop the bulk tables' own non-unique indexes
    (unique ones and those behind keys stay: upserts and INSERT OR IGNORE need them);
    returns their SQL, kept in the bookmark so a resumed bootstrap makes them at its
    end too."""
    marks = ", ".join("?" * len(_BULK_TABLES))
    found = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ({marks}) ORDER BY name",
        _BULK_TABLES,
    ).fetchall()
    for name, _ in found:
        conn.execute(f'DROP INDEX "{name}"')
    return [str(sql) for _, sql in found]


def restore_indexes(conn: sqlite3.Connection) -> None:
    """A bootstrap that stops before its end (server gone, a bad page) makes the indexes
    it dropped again, so the window never works on a cache without them; the next page
    drops them once more. (A killed client leaves them to its resumed bootstrap.)"""
    with page_transaction(conn):
        mark = marker(conn, BOOTSTRAP)
        if mark is None or "indexes" not in mark:
            return
        for sql in mark.pop("indexes"):
            conn.execute(sql)
        state.put(conn, BOOTSTRAP, json.dumps(mark))


def bulk_writes(conn: sqlite3.Connection, on: bool) -> None:
    """While a bootstrap writes, the engine's connection does not checkpoint the WAL
    after each page (the same index pages would be copied to the file again and again);
    the first commit after it checkpoints what piled up."""
    conn.execute(f"PRAGMA wal_autocheckpoint={0 if on else 1000}")


def load_page(
    conn: sqlite3.Connection, entity: str, page: Page, where: dict[str, Any]
) -> dict[str, Any]:
    """One bootstrap page of `entity` and the bookmark after it, in one transaction; on
    the entity's last page of the last entity, the pull cursor too. Returns the new
    bookmark (with "finished" true at the end)."""
    mark = dict(where)
    with page_transaction(conn):
        current = marker(conn, BOOTSTRAP)
        if current is not None and current != where:
            raise PageError("another bootstrap moved on meanwhile")
        if "indexes" not in mark:
            mark["indexes"] = _drop_indexes(conn)
        _load(conn, page, keep_existing=False)
        if mark.get("cursor") is None:
            mark["cursor"] = page.cursor
        if entity == TICKET:
            mark["done"] = int(mark.get("done", 0)) + page.rows_of("tickets")
            if page.total is not None:
                mark["total"] = page.total
        nxt = following(entity) if page.next is None else entity
        if nxt is None:
            for sql in mark.pop("indexes"):
                conn.execute(sql)
            state.put(conn, BOOTSTRAP, None)
            state.put(conn, state.CURSOR, mark["cursor"])
            # the total comes with the first page of them (the server counts messages)
            state.put(conn, OLDER, json.dumps({"after": "", "done": 0, "total": 0}))
            mark["finished"] = True
        else:
            mark["entity"] = nxt
            mark["after"] = page.next or ""
            state.put(conn, BOOTSTRAP, json.dumps(mark))
    return mark


def forget_older(conn: sqlite3.Connection) -> dict[str, Any]:
    """A server without snapshots: older conversations come only with their tickets."""
    state.put(conn, OLDER, None)
    return {"finished": True}


def load_older(conn: sqlite3.Connection, page: Page, where: dict[str, Any]) -> dict[str, Any]:
    """One page of older conversations (messages of a ticket id range) and the bookmark
    after it, in one transaction; the messages the cache already has are kept (a pull
    may have brought them newer). Returns the new bookmark ("finished" at the end)."""
    mark = dict(where)
    with page_transaction(conn):
        current = marker(conn, OLDER)
        if current is None or current.get("after") != where.get("after"):
            raise PageError("the older conversations moved on meanwhile")
        _load(conn, page, keep_existing=True)
        mark["done"] = int(mark.get("done", 0)) + page.rows_of("messages")
        if page.total is not None:
            mark["total"] = page.total
        if page.next is None:
            state.put(conn, OLDER, None)
            mark["finished"] = True
        else:
            mark["after"] = page.next
            state.put(conn, OLDER, json.dumps(mark))
    return mark


def keep_conversation(conn: sqlite3.Connection, changes: list[ChangeOut]) -> int:
    """The messages and attachments of one ticket as the server holds them now, the ones
    the cache lacks stored (a pull may have brought the others newer); returns how many
    were added. The search index comes from the insert trigger (a few rows)."""
    added = 0
    with page_transaction(conn):
        for entity in (MESSAGE, "attachment"):
            meta = ENTITY_TABLES[entity]
            items = [(c.data, c.seq) for c in changes if c.entity == entity and c.data]
            if not items:
                continue
            # counted by id: the connection's change count includes the search triggers'
            ids = [str(data.get("id")) for data, _ in items]
            marks = ", ".join("?" * len(ids))
            held = conn.execute(
                f"SELECT count(*) FROM {meta.table} WHERE id IN ({marks})", ids
            ).fetchone()[0]
            conn.executemany(_sql(meta.table, meta.columns, True), meta.rows(items))
            added += len(set(ids)) - int(held)
    return added
