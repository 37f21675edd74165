"""Applying pulled pages to the cache: one SQLite transaction per page, cursor included,
raw `executemany` (the ORM is 5-14x slower), foreign keys off (a page may bring a row
before its parent). Runs in a worker thread, never on the event loop.

"Upsert only if newer" compares the change's number with the row's `updated_seq` (local
edits never set it; versions are not compared since local edits bump them too). Pending
local intents are applied again on top of the server row, so an unacknowledged edit is
never clobbered.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from core.ids import utcnow
from core.models.base import sql_time
from core.priority import PriorityMatrix
from core.search import INDEXED_TEXT
from core.settings import PRIORITY_MATRIX
from sync.client import state
from sync.client.entities import ENTITY_TABLES, EntityTable
from sync.protocol import ChangeOut

_CHUNK = 500
# new rows of a searchable table from which one page indexes them in bulk (see _upsert)
_BULK_INDEX_MIN = 64
# pending intents whose fields a pulled ticket row must not overwrite
_INTENT_FIELDS: dict[str, tuple[str, ...] | None] = {
    "ticket.update": None,  # the fields of payload["changes"] (or the payload itself)
    "ticket.assign": ("assignee_id", "team_id"),
    "ticket.set_stage": ("stage_id",),
    "ticket.archive": ("archived",),
    "ticket.mark_opened": ("staff_state",),
    "ticket.convert_to_lead": ("archived", "lead_id"),
}


@dataclass
class PageResult:
    upserted: int = 0
    skipped: int = 0
    deleted: int = 0


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def intent_changes(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The ticket fields a pending intent sets locally."""
    if name not in _INTENT_FIELDS:
        return {}
    fields = _INTENT_FIELDS[name]
    if fields is None:
        changes = payload.get("changes", payload)
        return (
            {k: v for k, v in changes.items() if k != "base"} if isinstance(changes, dict) else {}
        )
    if name == "ticket.archive":
        return {"archived": bool(payload.get("archived", True))}
    if name == "ticket.convert_to_lead":  # O7: archived, pointing at the lead made offline
        return {"archived": True, "lead_id": payload.get("lead_id")}
    return {k: payload[k] for k in fields if k in payload}


def _newer(
    conn: sqlite3.Connection, meta: EntityTable, rows: list[ChangeOut]
) -> tuple[list[ChangeOut], set[str] | None]:
    """The changes newer than what the cache holds (by change number), and which of
    their ids the cache already held (None: not known, assume all)."""
    if not meta.seq_tracked:
        return rows, None
    held: dict[str, int | None] = {}
    ids = [c.id for c in rows]
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT {meta.key}, updated_seq FROM {meta.table} WHERE {meta.key} IN ({marks})"
        held.update(conn.execute(sql, tuple(chunk)).fetchall())
    return [c for c in rows if (held.get(c.id) or 0) < c.seq], set(held)


@cache
def upsert_sql(table: str, key: str, names: tuple[str, ...]) -> str:
    """Insert these columns, or update them on the row with the same `key`."""
    cols = ", ".join(names)
    marks = ", ".join("?" * len(names))
    sets = ", ".join(f"{c} = excluded.{c}" for c in names if c != key)
    return f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT({key}) DO UPDATE SET {sets}"


def _upsert_sql(meta: EntityTable) -> str:
    return upsert_sql(meta.table, meta.key, meta.columns)


def _upsert(
    conn: sqlite3.Connection, meta: EntityTable, rows: list[ChangeOut], held: set[str] | None
) -> None:
    values = meta.rows([(c.data or {}, c.seq) for c in rows])
    new = [c.id for c in rows if held is not None and c.id not in held]
    trigger = f"{meta.table}_fts_ins"
    saved = None
    if len(new) >= _BULK_INDEX_MIN and meta.table in INDEXED_TEXT and conn.in_transaction:
        found = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
        ).fetchone()
        saved = found[0] if found else None
    if saved is None:
        conn.executemany(_upsert_sql(meta), values)
        return
    # Many new rows of a searchable table (a first sync): the per-row insert trigger
    # costs 2-3x the bulk form, so it is dropped for this statement and the new rows are
    # indexed by two INSERT ... SELECT, then the trigger is put back, all inside the
    # page's transaction (a crash rolls the DDL back with the rows). Rows already held
    # go through the update trigger as always.
    conn.execute(f"DROP TRIGGER {trigger}")
    conn.executemany(_upsert_sql(meta), values)
    mapped = _map_columns(conn, meta.table)
    cols = ", ".join(mapped)
    (before,) = conn.execute(f"SELECT coalesce(max(doc), 0) FROM {meta.table}_fts_map").fetchone()
    conn.executemany(
        f"INSERT INTO {meta.table}_fts_map ({cols}) SELECT {cols} FROM {meta.table}"
        f" WHERE {meta.key} = ?",
        [(i,) for i in new],
    )
    conn.execute(
        f"INSERT INTO {meta.table}_fts (rowid, key) SELECT m.doc,"
        f" hd_search_key({INDEXED_TEXT[meta.table].format(r='t')})"
        f" FROM {meta.table}_fts_map m JOIN {meta.table} t ON t.{meta.key} = m.id"
        " WHERE m.doc > ?",
        (before,),
    )
    conn.execute(saved)


_map_cache: dict[str, tuple[str, ...]] = {}


def _map_columns(conn: sqlite3.Connection, table: str) -> tuple[str, ...]:
    """The columns a search map copies from its table (`doc` is its own rowid)."""
    if table not in _map_cache:
        info = conn.execute(f"PRAGMA table_info({table}_fts_map)").fetchall()
        _map_cache[table] = tuple(r[1] for r in info if r[1] != "doc")
    return _map_cache[table]


def _replace_children(
    conn: sqlite3.Connection, entity: str, rows: list[ChangeOut], held: set[str] | None
) -> None:
    """Embedded children replace the association rows of their parent (a parent the
    cache did not hold has none to remove: a first sync skips those deletes)."""
    ids = [(c.id,) for c in rows if held is None or c.id in held]
    if entity == "ticket":
        for table in ("ticket_tags", "ticket_contacts", "ticket_followers"):
            if ids:
                conn.executemany(f"DELETE FROM {table} WHERE ticket_id = ?", ids)
        data = [(c.id, c.data or {}) for c in rows]
        conn.executemany(
            "INSERT OR IGNORE INTO ticket_tags (ticket_id, tag_id) VALUES (?, ?)",
            [(i, t) for i, d in data for t in d.get("tag_ids", [])],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO ticket_contacts (ticket_id, contact_id) VALUES (?, ?)",
            [(i, t) for i, d in data for t in d.get("contact_ids", [])],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO ticket_followers (ticket_id, user_id, contact_id) "
            "VALUES (?, ?, ?)",
            [
                (i, f.get("user_id"), f.get("contact_id"))
                for i, d in data
                for f in d.get("followers", [])
            ],
        )
    elif entity == "team":
        for table in ("team_members", "team_followers"):
            conn.executemany(f"DELETE FROM {table} WHERE team_id = ?", ids)
        data = [(c.id, c.data or {}) for c in rows]
        conn.executemany(
            "INSERT OR IGNORE INTO team_members (team_id, user_id, assignable) VALUES (?, ?, ?)",
            [
                (i, m["user_id"], bool(m.get("assignable")))
                for i, d in data
                for m in d.get("members", [])
            ],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO team_followers (team_id, user_id, contact_id) VALUES (?, ?, ?)",
            [
                (i, f.get("user_id"), f.get("contact_id"))
                for i, d in data
                for f in d.get("followers", [])
            ],
        )
    elif entity == "sales_team":
        conn.executemany("DELETE FROM sales_team_members WHERE sales_team_id = ?", ids)
        conn.executemany(
            "INSERT OR IGNORE INTO sales_team_members (sales_team_id, user_id) VALUES (?, ?)",
            [(c.id, u) for c in rows for u in (c.data or {}).get("member_ids", [])],
        )


def _drop(conn: sqlite3.Connection, meta: EntityTable, ids: list[str]) -> None:
    """Delete rows, with what hangs off them (a ticket's messages, a team's stages)."""
    keys = [(i,) for i in ids]
    if meta.entity == "ticket":
        for table in (
            "messages",
            "attachments",
            "ticket_tags",
            "ticket_contacts",
            "ticket_followers",
        ):
            conn.executemany(f"DELETE FROM {table} WHERE ticket_id = ?", keys)
    elif meta.entity == "team":
        for table in ("stages", "team_members", "team_followers"):
            conn.executemany(f"DELETE FROM {table} WHERE team_id = ?", keys)
    elif meta.entity == "sales_team":
        conn.executemany("DELETE FROM sales_team_members WHERE sales_team_id = ?", keys)
    conn.executemany(f"DELETE FROM {meta.table} WHERE {meta.key} = ?", keys)


# pending intents a pulled ticket's association rows must not lose
_SET_INTENTS = ("ticket.follow", "ticket.unfollow", "ticket.tags")


def _reapply_intents(conn: sqlite3.Connection, ticket_ids: Iterable[str]) -> None:
    """Pending local edits of these tickets, applied again over the server's row: the
    fields they set (with what a field implies locally: a closed stage closes the ticket,
    a status moves `closed_at`), the agent's follow or unfollow, tags added or removed."""
    meta = ENTITY_TABLES["ticket"]
    names = (*_INTENT_FIELDS, *_SET_INTENTS)
    for chunk in _chunks(sorted(set(ticket_ids))):
        sql = (
            "SELECT name, payload, entity_id FROM outbox WHERE state IS NULL "
            f"AND name IN ({','.join('?' * len(names))}) "
            f"AND entity_id IN ({','.join('?' * len(chunk))}) ORDER BY seq"
        )
        for name, payload, entity_id in conn.execute(sql, (*names, *chunk)).fetchall():
            loaded = json.loads(payload) if isinstance(payload, str) else payload
            if name in _SET_INTENTS:
                _reapply_set(conn, name, entity_id, loaded or {})
                continue
            changes = {
                k: v
                for k, v in intent_changes(name, loaded or {}).items()
                if k in meta.columns and k not in ("id", "updated_seq")
            }
            changes |= _implied(conn, entity_id, changes)
            if changes:
                sets = ", ".join(f"{k} = ?" for k in changes)
                values = [meta.to_sql(k, v) for k, v in changes.items()]
                conn.execute(f"UPDATE tickets SET {sets} WHERE id = ?", (*values, entity_id))


def _implied(conn: sqlite3.Connection, ticket_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """What `core.tickets.update_ticket` does beside the fields it is given, for a field
    put back over a pulled row: severity or impact give the priority (P4, the cached
    matrix), a closed stage sets status closed, and the status sets or clears
    `closed_at` (the server's own values win once the intent is applied)."""
    implied: dict[str, Any] = {}
    if "severity" in changes or "impact" in changes:
        implied |= _priority(conn, ticket_id, changes)
    stage = changes.get("stage_id")
    if stage and "status" not in changes:
        closed = conn.execute("SELECT is_closed FROM stages WHERE id = ?", (stage,)).fetchone()
        if closed and closed[0]:
            implied["status"] = "closed"
    status = changes.get("status", implied.get("status"))
    if status is None:
        return implied
    if status != "closed":
        implied["closed_at"] = None
    else:
        held = conn.execute("SELECT closed_at FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        if held is not None and held[0] is None:
            implied["closed_at"] = sql_time(utcnow())
    return implied


def _priority(conn: sqlite3.Connection, ticket_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The priority the ticket's severity and impact give in the cached matrix."""
    held = conn.execute(
        "SELECT severity, impact FROM tickets WHERE id = ?", (ticket_id,)
    ).fetchone()
    if held is None:
        return {}
    stored = conn.execute("SELECT value FROM settings WHERE key = ?", (PRIORITY_MATRIX,)).fetchone()
    try:
        matrix = (
            PriorityMatrix.from_json(json.loads(stored[0])) if stored else PriorityMatrix.default()
        )
        severity = int(changes.get("severity", held[0]))
        impact = int(changes.get("impact", held[1]))
        return {"priority": int(matrix.priority_for(severity, impact))}
    except (ValueError, KeyError, TypeError):
        return {}  # a matrix or value this client cannot read: the push brings the server's


def _reapply_set(
    conn: sqlite3.Connection, name: str, ticket_id: str, payload: dict[str, Any]
) -> None:
    """A pending follow, unfollow or tag change, over the association rows a pull just
    replaced. (A follow queued before the intent named its user is left to the push.)"""
    if name == "ticket.tags":
        conn.executemany(
            "INSERT OR IGNORE INTO ticket_tags (ticket_id, tag_id) VALUES (?, ?)",
            [(ticket_id, t) for t in payload.get("add", [])],
        )
        conn.executemany(
            "DELETE FROM ticket_tags WHERE ticket_id = ? AND tag_id = ?",
            [(ticket_id, t) for t in payload.get("remove", [])],
        )
        return
    user = payload.get("user_id")
    if not isinstance(user, str):
        return
    conn.execute(
        "DELETE FROM ticket_followers WHERE ticket_id = ? AND user_id = ?", (ticket_id, user)
    )
    if name == "ticket.follow":
        # contact_id is NULL: UNIQUE does not catch a duplicate, hence the delete first
        conn.execute(
            "INSERT INTO ticket_followers (ticket_id, user_id, contact_id) VALUES (?, ?, NULL)",
            (ticket_id, user),
        )


def apply_changes(conn: sqlite3.Connection, changes: Sequence[ChangeOut]) -> PageResult:
    """Apply changes inside the caller's transaction (foreign keys already off)."""
    result = PageResult()
    latest: dict[tuple[str, str], ChangeOut] = {}
    for change in changes:
        if change.entity in ENTITY_TABLES:
            key = (change.entity, change.id)
            if key not in latest or latest[key].seq < change.seq:
                latest[key] = change
    upserts: dict[str, list[ChangeOut]] = defaultdict(list)
    drops: dict[str, list[str]] = defaultdict(list)
    for (entity, _), change in latest.items():
        if change.op == "upsert" and change.data is not None:
            upserts[entity].append(change)
        else:
            drops[entity].append(change.id)
    touched_tickets: list[str] = []
    for entity, meta in ENTITY_TABLES.items():
        rows, held = _newer(conn, meta, upserts.get(entity, []))
        result.skipped += len(upserts.get(entity, [])) - len(rows)
        if rows:
            _upsert(conn, meta, rows, held)
            _replace_children(conn, entity, rows, held)
            result.upserted += len(rows)
            if entity == "ticket":
                touched_tickets += [c.id for c in rows]
        if drops.get(entity):
            _drop(conn, meta, drops[entity])
            result.deleted += len(drops[entity])
    if touched_tickets:
        _reapply_intents(conn, touched_tickets)
    return result


def apply_current(conn: sqlite3.Connection, changes: Sequence[ChangeOut]) -> PageResult:
    """Rows as the server holds them now (`POST /sync/entities`), written over the cached
    ones whatever their change number: the cache had changed them by an edit the server
    refused, and local edits never move `updated_seq`. Inside the caller's transaction
    (foreign keys already off); pending intents are applied again on top, as in a pull."""
    result = PageResult()
    touched: list[str] = []
    for entity, meta in ENTITY_TABLES.items():
        rows = [c for c in changes if c.entity == entity and c.op == "upsert" and c.data]
        if not rows:
            continue
        held: set[str] = set()
        for chunk in _chunks([c.id for c in rows]):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT {meta.key} FROM {meta.table} WHERE {meta.key} IN ({marks})"
            held.update(r[0] for r in conn.execute(sql, tuple(chunk)))
        _upsert(conn, meta, rows, held)
        _replace_children(conn, entity, rows, held)
        result.upserted += len(rows)
        if entity == "ticket":
            touched += [c.id for c in rows]
    if touched:
        _reapply_intents(conn, touched)
    return result


def drop_rows(conn: sqlite3.Connection, entity: str, ids: Sequence[str]) -> None:
    """Delete cached rows of an entity, with what hangs off them (a ticket's messages)."""
    if ids:
        _drop(conn, ENTITY_TABLES[entity], list(ids))


def apply_page(
    conn: sqlite3.Connection,
    changes: Sequence[ChangeOut],
    cursor: str,
    *,
    defer_search: bool = False,
) -> PageResult:
    """One pulled page and its cursor, committed together or not at all.

    `defer_search` (a first sync, many pages to go): new rows of the searchable tables
    are stored without their search index; the page's transaction records where the
    unindexed rows start (`sync_state` SEARCH_PENDING, once) and `build_search_step`
    indexes them after the pull."""
    with page_transaction(conn):
        if defer_search:
            saved = defer_search_index(conn)
            result = apply_changes(conn, changes)
            for sql in saved:
                conn.execute(sql)
        else:
            result = apply_changes(conn, changes)
        state.put(conn, state.CURSOR, cursor)
    return result


@contextmanager
def page_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One page's write: committed whole or rolled back, foreign keys off meanwhile (a
    page may bring a row before its parent)."""
    conn.execute("PRAGMA foreign_keys=OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("PRAGMA foreign_keys=ON")


# -- deferred search indexing (a first sync) -------------------------------------------


def defer_search_index(conn: sqlite3.Connection) -> list[str]:
    """Inside the page's transaction: mark the searchable tables' rows from here on as
    pending and drop their insert triggers; returns the triggers' SQL to put back before
    the commit. A row inserted without its trigger has no `*_fts_map` row, so the update
    and delete triggers pass it by until it is indexed.

    The mark per table is the lowest newest-rowid seen at any deferred write: a row is
    inserted after the newest one, so every row stored unindexed lies above the mark,
    even when deletes let SQLite reuse rowids below an older mark."""
    marks = search_pending(conn)
    for table in INDEXED_TEXT:
        newest = conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]
        marks[table] = min(marks.get(table, newest), newest)
    state.put(conn, state.SEARCH_PENDING, json.dumps(marks))
    saved: list[str] = []
    for table in INDEXED_TEXT:
        trigger = f"{table}_fts_ins"
        found = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
        ).fetchone()
        if found:
            conn.execute(f"DROP TRIGGER {trigger}")
            saved.append(found[0])
    return saved


def search_pending(conn: sqlite3.Connection) -> dict[str, int]:
    """Per searchable table, the rowid after which rows may still lack their search
    index (empty: the index is complete)."""
    raw = state.get(conn, state.SEARCH_PENDING)
    loaded = json.loads(raw) if raw else {}
    if not isinstance(loaded, dict):
        return {}
    return {t: int(v) for t, v in loaded.items() if t in INDEXED_TEXT}


def search_backlog(conn: sqlite3.Connection) -> int:
    """How many rows the pending search index still has to look at."""
    return sum(
        conn.execute(f"SELECT count(*) FROM {table} WHERE rowid > ?", (start,)).fetchone()[0]
        for table, start in search_pending(conn).items()
    )


def build_search_step(conn: sqlite3.Connection, chunk: int = 20_000) -> int | None:
    """Index the next `chunk` pending rows of one table for search, in one transaction
    that also moves the pending mark past them (a crash resumes from the last commit);
    the expressions are `core.search.INDEXED_TEXT`'s, as `rebuild_search_index` uses.
    Rows indexed meanwhile by the triggers (local edits, small pulls) are skipped.
    Returns how many rows were looked at, or None when nothing was pending."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        pending = search_pending(conn)
        if not pending:
            state.put(conn, state.SEARCH_PENDING, None)
            conn.execute("COMMIT")
            return None
        looked = 0
        for table, start in list(pending.items()):
            rowids = conn.execute(
                f"SELECT rowid FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (start, chunk),
            ).fetchall()
            if not rowids:
                del pending[table]  # every row above the mark is indexed
                continue
            end = rowids[-1][0]
            _index_unmapped(conn, table, "t.rowid > ? AND t.rowid <= ?", (start, end))
            pending[table] = end
            looked = len(rowids)
            break
        state.put(conn, state.SEARCH_PENDING, json.dumps(pending) if pending else None)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return looked


def _index_unmapped(
    conn: sqlite3.Connection, table: str, where: str, params: tuple[int, ...]
) -> None:
    """Index the rows of `table` matching `where` (over `t`) that have no search map row,
    in rowid (insertion) order, as the insert trigger would have."""
    cols = ", ".join(_map_columns(conn, table))
    (before,) = conn.execute(f"SELECT coalesce(max(doc), 0) FROM {table}_fts_map").fetchone()
    conn.execute(
        f"INSERT INTO {table}_fts_map ({cols}) SELECT {cols} FROM {table} t WHERE {where}"
        f" AND NOT EXISTS (SELECT 1 FROM {table}_fts_map m WHERE m.id = t.id) ORDER BY t.rowid",
        params,
    )
    conn.execute(
        f"INSERT INTO {table}_fts (rowid, key) SELECT m.doc,"
        f" hd_search_key({INDEXED_TEXT[table].format(r='t')})"
        f" FROM {table}_fts_map m JOIN {table} t ON t.id = m.id WHERE m.doc > ?",
        (before,),
    )
