"""The engine's bookmarks in the cache's `sync_state` table, on a raw connection: the
pull cursor, the client id, the push number offset, the last sync time, the conflicts
to show and the tickets whose server values must be fetched again."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime
from typing import Any

CURSOR = "cursor"
CLIENT_ID = "client_id"
# outbox numbers the server never saw (a batch refused whole): wire seq = seq - offset
SEQ_OFFSET = "push_seq_offset"
CONFLICTS = "conflicts"
# newest conflicts kept for the window
MAX_CONFLICTS = 500
# ISO time of the last sync that finished (read by `helpdesk-cli status` too)
LAST_SYNC_AT = "last_sync_at"
# refused ticket intents whose fields still show the local value: fetch the server's
REFETCH = "refetch_tickets"
# rows a first sync stored without their search index: {table: rowid they start after}
SEARCH_PENDING = "search_index_pending"


def get(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def put(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM sync_state WHERE key = ?", (key,))
    else:
        conn.execute(
            "INSERT INTO sync_state (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def client_id(conn: sqlite3.Connection, wanted: str | None = None) -> str:
    """The cache's client id for push numbering: made once, then kept."""
    current = get(conn, CLIENT_ID)
    if wanted is not None and wanted != current:
        put(conn, CLIENT_ID, wanted)
        return wanted
    if current is None:
        current = uuid.uuid4().hex
        put(conn, CLIENT_ID, current)
    return current


def seq_offset(conn: sqlite3.Connection) -> int:
    return int(get(conn, SEQ_OFFSET) or 0)


def conflicts(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Fields of pushed edits the server refused (per field), newest last."""
    raw = get(conn, CONFLICTS)
    loaded = json.loads(raw) if raw else []
    return [c for c in loaded if isinstance(c, dict)] if isinstance(loaded, list) else []


def add_conflicts(conn: sqlite3.Connection, new: list[dict[str, Any]]) -> None:
    if new:
        kept = (conflicts(conn) + new)[-MAX_CONFLICTS:]
        put(conn, CONFLICTS, json.dumps(kept, ensure_ascii=False))


def last_sync_at(conn: sqlite3.Connection) -> datetime | None:
    """When the last sync finished, or None (never, or unreadable)."""
    raw = get(conn, LAST_SYNC_AT)
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def put_last_sync_at(conn: sqlite3.Connection, when: datetime) -> None:
    put(conn, LAST_SYNC_AT, when.isoformat())


def refetch(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Refused ticket intents waiting for the server's current values, oldest first."""
    raw = get(conn, REFETCH)
    loaded = json.loads(raw) if raw else []
    return loaded if isinstance(loaded, list) else []


def add_refetch(conn: sqlite3.Connection, new: list[dict[str, Any]]) -> None:
    if new:
        put(conn, REFETCH, json.dumps(refetch(conn) + new, ensure_ascii=False))


def drop_refetch(conn: sqlite3.Connection, mutation_id: str) -> None:
    left = [r for r in refetch(conn) if r.get("mutation_id") != mutation_id]
    put(conn, REFETCH, json.dumps(left, ensure_ascii=False) if left else None)
