"""Deferred search indexing of a first sync (E6 search over synced rows, D6 offline
cache), against a real server on loopback: a sync with many pages to go stores rows
without their search index and builds it at the end, in chunks that each commit; the
result is the index per-row triggers build, also after a SIGKILL mid-build; small pulls
still index each row as it lands."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from core.enums import MessageKind
from core.models import Message
from sync.client import state as bookmarks
from sync.client.engine import EngineState, SyncEngine, SyncReport
from tests.core.factories import make_team, make_ticket
from tests.sync.engine_child import engine_child, send_job
from tests.sync.server_fixture import LiveServer
from tests.sync.test_client_engine import agent, cache
from tests.sync.test_client_faults import bookmark, raw_pull

ROOT = Path(__file__).resolve().parents[2]
# Persian spellings on the server; the queries below use Arabic forms of some of them
WORDS = ["کتابخانه", "یادداشت", "ایمیل", "چاپگر", "شبکه", "فاکتور", "printer", "رمز"]
QUERIES = ["كتابخانه", "يادداشت", "ايميل", "ایمیل", "چاپگر", "شبكه", "فاکتور", "PRINTER"]
QUERIES += ["رمز", "کتاب", "پيام7", "شماره12", "c3@example.com", "یاد"]


def seed(server: LiveServer, count: int, start: int = 0) -> None:
    """`count` tickets with two messages each, words spread over titles and bodies."""
    with server.sessions() as s:
        team = make_team(s, f"Support {start}")
        for n in range(start, start + count):
            title = f"مشکل {WORDS[n % 8]} شماره{n}"
            t = make_ticket(s, title, team=team, contact_email=f"c{n}@example.com")
            for k in range(2):
                body = f"سلام {WORDS[(n * 3 + k) % 8]} پیام{n}"
                s.add(Message(ticket_id=t.id, kind=MessageKind.CUSTOMER_REPLY, body=body))
        s.commit()


def first_sync(
    path: Path, server: LiveServer, token: str, **kw: Any
) -> tuple[SyncReport, list[EngineState]]:
    states: list[EngineState] = []
    # the pull from zero (a cache after a reset); tests/sync/test_bootstrap.py has the
    # snapshot's own
    kw.setdefault("bootstrap", False)

    async def go() -> SyncReport:
        engine = SyncEngine(path, server.url, token, on_state=states.append, **kw)
        try:
            return await engine.sync_once()
        finally:
            await engine.aclose()

    return asyncio.run(go()), states


def index_of(path: Path) -> dict[str, Any]:
    """What search sees: the hits of every query, and each map in doc order."""
    from core.search import search_message_ids, search_ticket_ids

    with cache(path) as (_, s):
        hits = {q: sorted(search_ticket_ids(s, q, limit=1000)) for q in QUERIES}
        hits |= {f"m:{q}": sorted(search_message_ids(s, q, limit=1000)) for q in QUERIES}
    with closing(sqlite3.connect(path)) as conn:
        maps = {
            t: conn.execute(f"SELECT * FROM {t}_fts_map ORDER BY doc").fetchall()
            for t in ("tickets", "messages", "contacts")
        }
        pending = bookmarks.get(conn, bookmarks.SEARCH_PENDING)
    return {"hits": hits, "maps": [[r[1:] for r in rows] for rows in maps.values()], "p": pending}


def triggers(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}


def test_e6_d6_deferred_first_sync_finds_what_per_row_indexing_finds(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """A first sync in pages of 20 with deferral from the first page, and the same pull
    with every row indexed by its trigger (pages too small for the bulk path). Must hold:
    the deferred one says `indexing` while the pull runs and not after; both caches find
    the same tickets and messages for Persian and Arabic spellings, hold the same search
    maps in the same order, keep every trigger, and nothing is left pending; a later
    small pull indexes its rows as they land (no `indexing` state)."""
    seed(sqlite_server, 60)
    _, token = agent(sqlite_server, "ali")
    deferred, rowwise = tmp_path / "deferred.sqlite3", tmp_path / "rows.sqlite3"
    for path in (deferred, rowwise):
        with cache(path):
            pass
    expected_triggers = triggers(deferred)
    report, states = first_sync(deferred, sqlite_server, token, pull_limit=20, defer_index_min=1)
    assert report.pages > 5
    assert any(s.indexing for s in states) and not states[-1].indexing
    assert any(s.index_total > 0 and s.index_done == s.index_total for s in states)
    first_sync(rowwise, sqlite_server, token, pull_limit=20, defer_index_min=10**9)
    found = index_of(deferred)
    assert found == index_of(rowwise) and found["p"] is None
    assert triggers(deferred) == expected_triggers and "messages_fts_ins" in expected_triggers
    assert len(found["hits"]["كتابخانه"]) >= 8 and found["hits"]["شماره12"]
    assert found["hits"]["ايميل"] == found["hits"]["ایمیل"]

    seed(sqlite_server, 3, start=500)
    report, states = first_sync(deferred, sqlite_server, token, pull_limit=20, defer_index_min=1)
    assert report.pages == 1 and not any(s.indexing for s in states)
    first_sync(rowwise, sqlite_server, token, pull_limit=20, defer_index_min=10**9)
    found = index_of(deferred)
    assert found == index_of(rowwise) and found["p"] is None
    with cache(deferred) as (_, s):
        from core.search import search_ticket_ids

        assert len(search_ticket_ids(s, "شماره501")) == 1


def test_e6_d6_killed_while_indexing_resumes_and_ends_with_the_same_index(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """A first sync with deferred indexing runs in its own process, one row a
    transaction, and is SIGKILLed once every page is applied and the index is part
    built. Must hold: the cache opens with the pending mark; a new engine (nothing left
    to pull) says `indexing`, finishes the index, and the cache then finds exactly what
    a cache indexed row by row finds, with the same maps."""
    seed(sqlite_server, 80)
    _, token = agent(sqlite_server, "ali")
    last = raw_pull(sqlite_server.url.removesuffix("/api/v1"), token, 5000).cursor
    path, rowwise = tmp_path / "a.sqlite3", tmp_path / "rows.sqlite3"
    for p in (path, rowwise):
        with cache(p):
            pass
    with engine_child() as child:
        send_job(
            child,
            path,
            sqlite_server.url,
            token,
            pull_limit=20,
            defer_index_min=1,
            index_chunk=1,
            bootstrap=False,
        )
        deadline = time.monotonic() + 60
        start: str | None = None
        while True:
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the child never started indexing"
            try:
                cursor = bookmark(path, bookmarks.CURSOR)
                mark = bookmark(path, bookmarks.SEARCH_PENDING)
            except sqlite3.OperationalError:  # schema being changed while it writes
                continue
            if cursor == last and mark is not None:
                if start is None:
                    start = mark
                elif mark != start:
                    break
            time.sleep(0.002)
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL and b"finished" not in out
    assert index_of(path)["p"] is not None, "killed after the index was built"

    report, states = first_sync(path, sqlite_server, token, pull_limit=20, defer_index_min=1)
    assert report.pulled == 0 and states[0].indexing and not states[-1].indexing
    first_sync(rowwise, sqlite_server, token, pull_limit=20, defer_index_min=10**9)
    found = index_of(path)
    assert found == index_of(rowwise) and found["p"] is None
    assert len(found["hits"]["يادداشت"]) >= 10


def test_e6_rows_stored_unindexed_after_deletes_below_the_mark_are_still_indexed(
    tmp_path: Path,
) -> None:
    """Deferred writes, deletes that take the newest rows away (SQLite then hands their
    rowids out again), then another deferred write, on a real cache. Must hold: once
    `build_search_step` says nothing is pending, every message has its search map row and
    is found by a word of its body; the steps never swept the whole table (a step looks
    at no more rows than were stored unindexed)."""
    from core.db import connect_raw
    from core.search import search_message_ids
    from sync.client.apply import build_search_step, defer_search_index

    path = tmp_path / "cache.sqlite3"
    with cache(path) as (_, s):
        t = make_ticket(s, "برگه")
        s.add_all(
            Message(ticket_id=t.id, kind=MessageKind.CUSTOMER_REPLY, body=f"قدیمی{n}")
            for n in range(20)
        )
        s.commit()
    conn = connect_raw(path)
    names = [r[1] for r in conn.execute("PRAGMA table_info(messages)")]
    template = conn.execute(f"SELECT {', '.join(names)} FROM messages LIMIT 1").fetchone()
    at_id, at_body = names.index("id"), names.index("body")

    def row(word: str) -> tuple[object, ...]:
        values = list(template)
        values[at_id], values[at_body] = f"m-{word}", word
        return tuple(values)

    def deferred_write(words: list[str]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        saved = defer_search_index(conn)
        conn.executemany(
            f"INSERT INTO messages ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [row(w) for w in words],
        )
        for sql in saved:
            conn.execute(sql)
        conn.execute("COMMIT")

    try:
        deferred_write([f"نخست{n}" for n in range(5)])
        # the five new rows and the ten newest old ones go: the newest rowid is now below
        # the first write's mark
        conn.execute("DELETE FROM messages WHERE rowid > (SELECT max(rowid) - 15 FROM messages)")
        deferred_write([f"دوم{n}" for n in range(7)])
        looked = []
        while (step := build_search_step(conn, chunk=4)) is not None:
            looked.append(step)
        assert sum(looked) <= 7 + 5, "a step swept rows that were indexed already"
        unmapped = conn.execute(
            "SELECT count(*) FROM messages t WHERE NOT EXISTS"
            " (SELECT 1 FROM messages_fts_map m WHERE m.id = t.id)"
        ).fetchone()[0]
        assert unmapped == 0
    finally:
        conn.close()
    with cache(path) as (_, s):
        for n in range(7):
            assert search_message_ids(s, f"دوم{n}") == [f"m-دوم{n}"]
        assert search_message_ids(s, "قدیمی3") and not search_message_ids(s, "نخست1")
