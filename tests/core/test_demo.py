"""The demo-data generator: deterministic, complete, and readable by the ORM."""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.db import connect_raw, make_engine, session_factory, sqlite_url
from core.demo import generate
from core.demo.generator import _Clock
from core.enums import Category, MessageKind, Status
from core.models import Department, Message, Stage, Ticket, sql_time
from core.priority import PriorityMatrix
from core.search import match_expression

NOW = datetime(2025, 6, 1, tzinfo=UTC)
TICKETS = 300


def _fill(template: Path, target: Path, seed: int) -> Path:
    shutil.copy(template, target)
    generate(target, tickets=TICKETS, seed=seed, now=NOW)
    return target


def _digest(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE '%_fts_%' AND name NOT LIKE 'alembic%'"
        )
    ]
    out = {}
    for table in tables:
        h = hashlib.sha256()
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            h.update(repr(row).encode())
        out[table] = h.hexdigest()
    conn.close()
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Path:
    return _fill(migrated_template, tmp_path_factory.mktemp("demo") / "a.sqlite3", 7)


@pytest.fixture
def demo_session(demo: Path) -> Session:
    engine = make_engine(sqlite_url(demo))
    return session_factory(engine)()


def test_demo_same_seed_same_rows_other_seed_other_rows(
    demo: Path, migrated_template: Path, tmp_path: Path
) -> None:
    again = _digest(_fill(migrated_template, tmp_path / "b.sqlite3", 7))
    first = _digest(demo)
    assert first == again
    other = _digest(_fill(migrated_template, tmp_path / "c.sqlite3", 8))
    assert other["tickets"] != first["tickets"]
    assert other["messages"] != first["messages"]


def test_demo_fills_every_table_with_valid_links(demo: Path) -> None:
    conn = connect_raw(demo)
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'alembic%' AND name NOT LIKE '%fts%'"
        )
    ]
    # written by edits and sync, or only on the server, never by demo data
    local_only = {"outbox", "sync_state", "drafts", "merge_log"} | {
        "changes",
        "sync_counters",
        "auth_tokens",
        "push_clients",
        "push_results",
        "deliveries",
        "blob_uploads",
    }
    empty = [
        t
        for t in tables
        if t not in local_only and conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] == 0
    ]
    assert empty == []
    assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == TICKETS
    messages = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    assert 3 * TICKETS < messages < 7 * TICKETS
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # times: updated after created, messages inside the ticket's life and before NOW
    assert (
        conn.execute("SELECT count(*) FROM tickets WHERE updated_at < created_at").fetchone()[0]
        == 0
    )
    assert (
        conn.execute(
            "SELECT count(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id"
            " WHERE m.created_at < t.created_at OR m.created_at > t.updated_at"
        ).fetchone()[0]
        == 0
    )
    assert conn.execute("SELECT max(updated_at) FROM tickets").fetchone()[0] <= sql_time(NOW)
    conn.close()


def test_demo_orm_reads_every_ticket_and_thread(demo_session: Session) -> None:
    tickets = demo_session.scalars(
        select(Ticket).options(selectinload(Ticket.tags), selectinload(Ticket.contacts))
    ).all()
    assert len(tickets) == TICKETS
    threads = {
        t.id: demo_session.scalars(
            select(Message).where(Message.ticket_id == t.id).order_by(Message.created_at)
        ).all()
        for t in tickets
    }
    kinds = {m.kind for thread in threads.values() for m in thread}
    assert kinds == set(MessageKind)
    for t in tickets:
        assert t.created_at.tzinfo is UTC
        assert t.updated_at >= t.created_at
        assert isinstance(t.custom_values, dict)
        assert t.contact_email and "@" in t.contact_email
        if t.first_response_at is not None:
            assert any(m.kind is MessageKind.AGENT_REPLY for m in threads[t.id])
    assert any(t.archived for t in tickets)
    merged = [t for t in tickets if t.merged_into_id is not None]
    assert merged
    assert all(t.archived and t.status is Status.CLOSED for t in merged)
    assert any(t.lead_id is not None for t in tickets)
    assert any(t.rating is not None for t in tickets)
    assert any(t.tags for t in tickets)


def test_p4_demo_priorities_follow_the_matrix(demo_session: Session) -> None:
    matrix = PriorityMatrix.default()
    rows = demo_session.execute(select(Ticket.severity, Ticket.impact, Ticket.priority)).all()
    assert {(s, i) for s, i, _ in rows} >= {(0, 0), (1, 1), (2, 2)}
    assert all(p == matrix.priority_for(s, i) for s, i, p in rows)


def test_o1_demo_status_agrees_with_stage(demo_session: Session) -> None:
    rows = demo_session.execute(
        select(Ticket.status, Stage.is_closed, Stage.sequence, Ticket.closed_at, Stage.team_id)
        .join(Stage, Stage.id == Ticket.stage_id)
        .where(Stage.team_id == Ticket.team_id)
    ).all()
    assert len(rows) == TICKETS
    first = dict(
        demo_session.execute(
            select(Stage.team_id, func.min(Stage.sequence)).group_by(Stage.team_id)
        ).all()
    )
    for status, is_closed, sequence, closed_at, team in rows:
        if is_closed:
            assert status is Status.CLOSED
            assert closed_at is not None
        elif sequence == first[team]:
            assert status is Status.NEW
        else:
            assert status is Status.IN_PROGRESS
    assert {r[0] for r in rows} == set(Status)


def test_i1_demo_has_every_category_and_subjects(demo_session: Session) -> None:
    departments = demo_session.scalars(
        select(Department).options(selectinload(Department.subjects))
    ).all()
    assert {d.category for d in departments} >= set(Category)
    assert all(d.subjects for d in departments)
    used = set(demo_session.scalars(select(Ticket.department_id).distinct()))
    assert len(used) == len(departments)


def test_e6_demo_text_is_searchable(demo: Path) -> None:
    conn = connect_raw(demo)
    word = "پیامک"
    terms = match_expression(word)
    hits = conn.execute(
        "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?", (terms,)
    ).fetchone()[0]
    assert hits > 0
    ticket_hits = conn.execute(
        "SELECT count(*) FROM tickets_fts WHERE tickets_fts MATCH ?", (terms,)
    ).fetchone()[0]
    assert ticket_hits > 0
    # every row is indexed once, and the insert triggers are back for later writers
    for table in ("tickets", "messages", "contacts"):
        n = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        assert conn.execute(f"SELECT count(*) FROM {table}_fts").fetchone()[0] == n
        assert conn.execute(f"SELECT count(*) FROM {table}_fts_map").fetchone()[0] == n
        assert conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?",
            (f"{table}_fts_ins",),
        ).fetchone()[0]
    conn.close()


def test_e6_demo_rebuilt_index_finds_what_the_triggers_would(
    demo: Path, migrated_template: Path, tmp_path: Path
) -> None:
    by_triggers = tmp_path / "t.sqlite3"
    shutil.copy(migrated_template, by_triggers)
    generate(by_triggers, tickets=TICKETS, seed=7, now=NOW, rebuild_fts=False)
    words = ["پیامک", "كاظمي", "ORD", "می‌خواهم", "درگاه پرداخت", "gmail"]
    counts = []
    for path in (demo, by_triggers):
        conn = connect_raw(path)
        counts.append(
            [
                conn.execute(
                    f"SELECT count(*) FROM {table}_fts WHERE {table}_fts MATCH ?",
                    (match_expression(word),),
                ).fetchone()[0]
                for word in words
                for table in ("tickets", "messages", "contacts")
            ]
        )
        conn.close()
    assert counts[0] == counts[1]
    assert sum(counts[0]) > 0


def test_demo_clock_formats_like_sql_time() -> None:
    clock = _Clock()
    rng = random.Random(3)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    for _ in range(200):
        us = rng.randrange(1_600_000_000_000_000, 1_800_000_000_000_000)
        assert clock.text(us) == sql_time(epoch + timedelta(microseconds=us))
