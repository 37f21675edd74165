"""Cache figures against DESIGN.md's targets: demo-data rows/s, first queue page, search,
and a local edit with its outbox row, each beside the same work in bare sqlite3.

    .venv/bin/python -m bench.cache_bench [--tickets N] [--reuse PATH] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from core.db import connect_raw, make_engine, session_factory, sqlite_url
from core.demo import generate
from core.enums import Status
from core.local_edits import edit_ticket_locally
from core.queues import QueueKind, QueueQuery, SortKey, load_rows, ticket_ids
from core.search import match_expression, search_ticket_ids

PAGE = 100
FIRST_PAGE_MS = 50.0
SEARCH_MS = 100.0
EDIT_MS = 5.0

# the display columns of a queue page, as core.queues.load_rows reads them
_ROWS_SQL = (
    "SELECT t.id, t.number, t.title, coalesce(c.name, t.contact_email), t.status, s.name,"
    " t.priority, t.severity, t.impact, tm.name, u.display_name, t.sla_due_at, t.updated_at,"
    " t.staff_state, t.customer_state, EXISTS (SELECT 1 FROM outbox o"
    " WHERE o.ticket_id = t.id AND o.state IS NULL)"
    " FROM tickets t LEFT JOIN contacts c ON c.id = t.contact_id"
    " LEFT JOIN stages s ON s.id = t.stage_id LEFT JOIN teams tm ON tm.id = t.team_id"
    " LEFT JOIN users u ON u.id = t.assignee_id"
    " WHERE t.id IN (SELECT value FROM json_each(?))"
)


def _median_ms(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(first run, median of the next `runs`) in milliseconds."""
    start = time.perf_counter()
    fn()
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return first, statistics.median(times)


def _bare_page(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> int:
    ids = [r[0] for r in conn.execute(sql, params)]
    return len(conn.execute(_ROWS_SQL, (json.dumps(ids),)).fetchall())


def _bare_search(conn: sqlite3.Connection, text: str) -> int:
    """The newest matches of the ticket and message indexes, joined to tickets, newest
    update first: what a hand-written search would do (contacts left out)."""
    expr = match_expression(text)
    rows = conn.execute(
        "SELECT id FROM tickets WHERE id IN ("
        " SELECT m.id FROM (SELECT rowid AS doc FROM tickets_fts WHERE tickets_fts MATCH ?"
        "  ORDER BY rowid DESC LIMIT ?) f JOIN tickets_fts_map m ON m.doc = f.doc"
        " UNION SELECT m.ticket_id FROM (SELECT rowid AS doc FROM messages_fts"
        "  WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?) f"
        "  JOIN messages_fts_map m ON m.doc = f.doc)"
        # `+` keeps the planner off ix_tickets_merged_into: "IS NULL" there matches ~99%
        # of a million rows (800 ms to 2.5 s), against ~6 ms through the id list
        " AND +merged_into_id IS NULL ORDER BY updated_at DESC, id DESC LIMIT ?",
        (expr, PAGE * 2, expr, PAGE * 4, PAGE),
    ).fetchall()
    ids = [r[0] for r in rows]
    return len(conn.execute(_ROWS_SQL, (json.dumps(ids),)).fetchall())


def _line(label: str, ms: float, first: float, target: float, bare: float | None) -> str:
    ok = "ok " if ms <= target else "MISS"
    ratio = f"{ms / bare:5.2f}x bare ({bare:7.2f} ms)" if bare else ""
    return (
        f"{label:<44} {ms:8.2f} ms  (first {first:7.2f})  target < {target:>4.0f} ms {ok}  {ratio}"
    )


def run(path: Path, runs: int) -> None:
    engine = make_engine(sqlite_url(path))
    session: Session = session_factory(engine)()
    conn = connect_raw(path)
    tickets = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    messages = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    print(f"cache {path}: {tickets:,} tickets, {messages:,} messages")

    team_id, status = conn.execute(
        "SELECT team_id, status FROM tickets WHERE archived = 0 AND status = ?"
        " GROUP BY team_id ORDER BY count(*) DESC LIMIT 1",
        (Status.IN_PROGRESS.value,),
    ).fetchone()

    lines = []

    def page(query: QueueQuery) -> int:
        return len(load_rows(session, ticket_ids(session, query, limit=PAGE)))

    queues = [
        (
            "queue: all, priority then updated",
            QueueQuery(kind=QueueKind.ALL, sort=SortKey.PRIORITY),
            "SELECT id FROM tickets WHERE archived = 0"
            " ORDER BY priority DESC, updated_at DESC, id DESC LIMIT ?",
            (PAGE,),
        ),
        (
            "queue: team + status, priority then updated",
            QueueQuery(
                kind=QueueKind.ALL,
                team_ids=(team_id,),
                statuses=(Status(status),),
                sort=SortKey.PRIORITY,
            ),
            "SELECT id FROM tickets WHERE archived = 0 AND team_id = ? AND status = ?"
            " ORDER BY priority DESC, updated_at DESC, id DESC LIMIT ?",
            (team_id, status, PAGE),
        ),
        (
            "queue: team + status, updated",
            QueueQuery(
                kind=QueueKind.ALL,
                team_ids=(team_id,),
                statuses=(Status(status),),
                sort=SortKey.UPDATED,
            ),
            "SELECT id FROM tickets WHERE archived = 0 AND team_id = ? AND status = ?"
            " ORDER BY updated_at DESC, id DESC LIMIT ?",
            (team_id, status, PAGE),
        ),
    ]
    for label, query, sql, params in queues:
        assert page(query) == _bare_page(conn, sql, params) > 0, label
        first, ms = _median_ms(partial(page, query), runs)
        _f, bare = _median_ms(partial(_bare_page, conn, sql, params), runs)
        lines.append(_line(label, ms, first, FIRST_PAGE_MS, bare))

    def search_page(text: str) -> int:
        return len(load_rows(session, search_ticket_ids(session, text, limit=PAGE)))

    for text in ("درگاه پرداخت", "كاظمي", "Timeout"):
        found = search_page(text)
        first, ms = _median_ms(partial(search_page, text), runs)
        _f, bare = _median_ms(partial(_bare_search, conn, text), runs)
        lines.append(_line(f"search {text!r} ({found} hits)", ms, first, SEARCH_MS, bare))

    # a local edit: change the severity back and forth, each with its outbox row committed
    ticket_id = conn.execute(
        "SELECT id FROM tickets WHERE archived = 0 AND status != 'closed'"
        " ORDER BY updated_at DESC LIMIT 1"
    ).fetchone()[0]
    outbox_before = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    flip = iter(range(10**6))

    def edit() -> None:
        edit_ticket_locally(session, ticket_id, {"severity": next(flip) % 3})
        session.expire_all()  # read from the cache again, as a fresh window action would

    first, ms = _median_ms(edit, runs * 3)
    outbox_after = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    assert outbox_after > outbox_before, "edits left no outbox rows"
    lines.append(_line("local edit + outbox row, committed", ms, first, EDIT_MS, None))
    print("\n".join(lines))
    session.close()
    engine.dispose()
    conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cache_bench", description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--messages-per-ticket", type=float, default=5.0)
    parser.add_argument("--reuse", type=Path, help="an existing cache to measure as is")
    parser.add_argument("--out", type=Path, help="where to generate (default: a temp file)")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)

    if args.reuse is not None:
        path = args.reuse
        if not path.exists():
            parser.error(f"{path} does not exist")
    else:
        path = args.out or Path(tempfile.mkdtemp(prefix="hd-bench-")) / "cache.sqlite3"
        started = time.perf_counter()

        def progress(done: int, total: int, rows: int) -> None:
            elapsed = time.perf_counter() - started
            print(
                f"\r  generating {done:>9,}/{total:,} tickets, {rows / elapsed:,.0f} rows/s",
                end="",
                file=sys.stderr,
                flush=True,
            )

        stats = generate(
            path,
            tickets=args.tickets,
            messages_per_ticket=args.messages_per_ticket,
            progress=progress,
        )
        print(file=sys.stderr)
        print(
            f"demo data: {stats.total_rows:,} rows ({stats.rows['tickets']:,} tickets,"
            f" {stats.rows['messages']:,} messages) in {stats.seconds:.1f} s:"
            f" {stats.rows_per_second:,.0f} rows/s (search index included)"
        )
    run(path, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
