"""Persian-aware text search over the local cache (E6, S8).

Queries go through the same folding as the indexed text (core.textnorm), every word is a
prefix match and all words must match. Work per query is bounded whatever the cache size:
each FTS5 index is read newest-first (`ORDER BY rowid DESC LIMIT n`, rowids being
insertion order) and only those few candidates are joined, filtered and sorted; no query
ever sorts a whole match set. The indexes and their triggers are made by migration 0002.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from core.db import sqlite_driver
from core.textnorm import PREFIXES, SEARCH_KEY_VERSION, SUFFIXES, query_words

# a query longer than this is cut: more words only narrow an AND search further
MAX_WORDS = 12
# how many newest hits of each index a ticket search reads, per wanted result
_TICKET_POOL = 2
_MESSAGE_POOL = 4
_CONTACTS_FOR_TICKETS = 20

# The indexed text of each table, as migration 0002 wrote it into its triggers; a rebuild
# must use the very same expressions (tests/core/test_search_e6.py checks they agree).
_PHONE = (
    "coalesce({c}, '') || ' ' || replace(replace(replace(replace(replace("
    "coalesce({c}, ''), ' ', ''), '-', ''), '(', ''), ')', ''), '.', '')"
)
INDEXED_TEXT: dict[str, str] = {
    "tickets": "{r}.title || ' ' || {r}.description || ' ' || {r}.contact_email"
    " || ' ' || coalesce({r}.number, '') || ' ' || " + _PHONE.format(c="{r}.contact_mobile"),
    "messages": "{r}.body",
    "contacts": "{r}.name || ' ' || coalesce({r}.email, '') || ' ' || "
    + _PHONE.format(c="{r}.mobile"),
    "kb_articles": "{r}.title || ' ' || {r}.keywords || ' ' || {r}.body",
}


def match_expression(query: str) -> str | None:
    """The FTS5 MATCH expression for a search box query, or None when it has no words.

    A Persian affix typed apart from its word ("می خواهم", "کتاب ها") also matches the
    joined spelling, the other half of what search_key indexes.
    """
    plans = _plans(query)
    return plans[-1] if plans else None


# words this long have no FTS5 prefix index ('1 2 3'): their prefix match merges the
# doclists of every term they start, work that grows with the cache (26 ms for a word in
# 30% of 1M messages); an exact match of the same word streams and stops at LIMIT
_INDEXED_PREFIX = 3


def _plans(query: str) -> list[str]:
    """MATCH expressions to try in turn: first long words as whole words (cheap at any
    size), then every word as a prefix; the second runs only when the first finds fewer
    than wanted, so a common long word never costs a full prefix merge."""
    words = query_words(query)[:MAX_WORDS]
    if not words:
        return []
    full = _expression(words, exact_long=False)
    cheap = _expression(words, exact_long=True)
    return [full] if cheap == full else [cheap, full]


def _expression(words: list[str], *, exact_long: bool) -> str:
    def term(word: str) -> str:
        quoted = '"' + word.replace('"', '""') + '"'
        return quoted if exact_long and len(word) > _INDEXED_PREFIX else quoted + "*"

    parts: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if i + 1 < len(words) and (word in PREFIXES or words[i + 1] in SUFFIXES):
            nxt = words[i + 1]
            parts.append(f"(({term(word)} AND {term(nxt)}) OR {term(word + nxt)})")
            i += 2
        else:
            parts.append(term(word))
            i += 1
    return " AND ".join(parts)


def _newest_docs(table: str, limit: int, column: str = "id") -> str:
    """SQL for one map column of the newest `limit` matches of one index (no sort needed)."""
    return (
        f"SELECT m.{column} FROM (SELECT rowid AS doc FROM {table}_fts WHERE {table}_fts"
        f" MATCH :q ORDER BY rowid DESC LIMIT {int(limit)}) f"
        f" JOIN {table}_fts_map m ON m.doc = f.doc ORDER BY f.doc DESC"
    )


def _connection(session: Session) -> Connection:
    """The session's connection, after writing out pending edits so they are found too."""
    session.flush()
    return session.connection()


def _rows(
    conn: Connection, sql: str, plans: list[str], params: dict[str, object], want: int
) -> list[Any]:
    """Rows of an FTS query (`:q` in `sql`) by the first plan that finds `want` rows, or
    by the last plan. A word Python calls one token but SQLite's older Unicode tables
    split in two becomes a phrase, which a detail=none index refuses: no match."""
    raw = sqlite_driver(conn)
    rows: list[Any] = []
    for plan in plans:
        try:
            rows = raw.execute(sql, {**params, "q": plan}).fetchall()
        except sqlite3.OperationalError as exc:
            if "phrase queries are not supported" not in str(exc):
                raise
            rows = []
        if len(rows) >= want:
            break
    return rows


def _newest(
    conn: Connection, table: str, plans: list[str], limit: int, column: str = "id"
) -> list[str]:
    """One map column of the newest `limit` matches of an index, by the first plan that
    finds `limit` (or by the last plan). Plans are weighed by the index alone, which is
    cheap; only the chosen one is joined to its map, thousands of lookups at scale."""
    raw = sqlite_driver(conn)
    chosen = plans[-1]
    for plan in plans[:-1]:
        try:
            found = raw.execute(
                f"SELECT count(*) FROM (SELECT rowid FROM {table}_fts WHERE {table}_fts"
                f" MATCH ? ORDER BY rowid DESC LIMIT {int(limit)})",
                (plan,),
            ).fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "phrase queries are not supported" not in str(exc):
                raise
            found = 0
        if found >= limit:
            chosen = plan
            break
    return [row[0] for row in _rows(conn, _newest_docs(table, limit, column), [chosen], {}, 0)]


def search_ticket_ids(session: Session, query: str, *, limit: int = 200) -> list[str]:
    """Ids of unmerged tickets that match `query` in their own text (title, description,
    contact email and mobile, number), in a message, or through their contact; most
    recently updated first. A hit on a merged ticket counts for the ticket it went into.

    Best effort at scale: candidates are the newest `limit`-times-a-few matches of each
    index, so an old ticket can be left out when many newer ones match.
    """
    plans = _plans(query)
    if not plans or limit <= 0:
        return []
    conn = _connection(session)
    found: dict[str, None] = dict.fromkeys(_newest(conn, "tickets", plans, limit * _TICKET_POOL))
    pool = limit * _MESSAGE_POOL
    found.update(dict.fromkeys(_newest(conn, "messages", plans, pool, "ticket_id")))
    contacts = _newest(conn, "contacts", plans, _CONTACTS_FOR_TICKETS)
    if contacts:
        rows = sqlite_driver(conn).execute(
            (
                "SELECT id FROM (SELECT t.id FROM json_each(:c) j CROSS JOIN tickets t"
                " ON t.contact_id = j.value ORDER BY t.created_at DESC LIMIT :n)"
                " UNION SELECT ticket_id FROM (SELECT tc.ticket_id FROM json_each(:c) j"
                " CROSS JOIN ticket_contacts tc ON tc.contact_id = j.value LIMIT :n)"
            ),
            {"c": json.dumps(contacts), "n": limit * _TICKET_POOL},
        )
        found.update(dict.fromkeys(row[0] for row in rows))
    if not found:
        return []
    return _unmerged_newest(conn, list(found), limit)


def _unmerged_newest(conn: Connection, ids: Sequence[str], limit: int) -> list[str]:
    """`ids` with merged tickets replaced by where they went, newest update first.

    Each ticket is read once (its merge target and update time together; at 1,000,000
    tickets a wide row read is most of a search's time) and the few thousand candidates
    are ordered here. Iterating json_each drives the lookups by the primary key, never by
    the merged-into index (100x slower once ANALYZE statistics exist).
    """
    seen: set[str] = set()
    newest: list[tuple[str, str]] = []
    step = list(dict.fromkeys(ids))
    for _ in range(9):  # merges chain rarely; a bound keeps a cycle from looping forever
        if not step:
            break
        seen.update(step)
        rows = sqlite_driver(conn).execute(
            "SELECT t.updated_at, t.id, t.merged_into_id FROM json_each(?) j"
            " CROSS JOIN tickets t ON t.id = j.value",
            (json.dumps(step),),
        )
        targets: dict[str, None] = {}
        for updated_at, ticket_id, merged_into_id in rows:
            if merged_into_id is None:
                newest.append((updated_at, ticket_id))
            elif merged_into_id not in seen:
                targets[merged_into_id] = None
        step = list(targets)
    newest.sort(reverse=True)
    return [ticket_id for _, ticket_id in newest[:limit]]


def search_message_ids(
    session: Session, query: str, *, ticket_id: str | None = None, limit: int = 200
) -> list[str]:
    """Ids of messages that match `query`, newest first; only one ticket's when given."""
    plans = _plans(query)
    if not plans or limit <= 0:
        return []
    conn = _connection(session)
    if ticket_id is None:
        return _newest(conn, "messages", plans, limit)
    # one ticket's messages are few: walk them and probe the index by rowid, rather than
    # walk every match of a common word in the whole cache
    rows = _rows(
        conn,
        "SELECT m.id FROM messages_fts_map m CROSS JOIN messages_fts f ON f.rowid = m.doc"
        " WHERE m.ticket_id = :t AND messages_fts MATCH :q ORDER BY m.doc DESC LIMIT :n",
        plans,
        {"t": ticket_id, "n": limit},
        limit,
    )
    return [row[0] for row in rows]


def search_contact_ids(session: Session, query: str, *, limit: int = 50) -> list[str]:
    """Ids of contacts whose name, email or mobile match `query`, newest first."""
    plans = _plans(query)
    if not plans or limit <= 0:
        return []
    return _newest(_connection(session), "contacts", plans, limit)


def search_kb_ids(
    session: Session, query: str, *, limit: int = 50, published_only: bool = True
) -> list[str]:
    """Ids of knowledge-base articles whose title, keywords or body match (S8), newest
    first; unpublished ones only when asked."""
    plans = _plans(query)
    if not plans or limit <= 0:
        return []
    conn = _connection(session)
    ids = _newest(conn, "kb_articles", plans, limit * 2 if published_only else limit)
    if not published_only or not ids:
        return ids
    rows = conn.execute(
        text(
            "SELECT k.id FROM json_each(:ids) j CROSS JOIN kb_articles k ON k.id = j.value"
            " WHERE k.published"
        ),
        {"ids": json.dumps(ids)},
    )
    published = {row.id for row in rows}
    return [i for i in ids if i in published][:limit]


def ensure_search_index(conn: Connection) -> bool:
    """Rebuild every search index when it was built by another search_key version (a
    contentless index can only forget the tokens it was given). True if it rebuilt."""
    row = conn.execute(
        text("SELECT value FROM search_meta WHERE name = 'search_key_version'")
    ).first()
    if row is not None and row.value == SEARCH_KEY_VERSION:
        return False
    rebuild_search_index(conn)
    return True


def rebuild_search_index(conn: Connection) -> None:
    """Index every row again from the tables (the caller commits)."""
    for table, expr in INDEXED_TEXT.items():
        conn.execute(text(f"INSERT INTO {table}_fts ({table}_fts) VALUES ('delete-all')"))
        conn.execute(
            text(
                f"INSERT INTO {table}_fts (rowid, key) SELECT m.doc,"
                f" hd_search_key({expr.format(r='t')})"
                f" FROM {table}_fts_map m JOIN {table} t ON t.id = m.id"
            )
        )
    conn.execute(
        text(
            "INSERT INTO search_meta (name, value) VALUES ('search_key_version', :v)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value"
        ),
        {"v": SEARCH_KEY_VERSION},
    )
