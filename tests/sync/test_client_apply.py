"""Applying pulled pages (issue 4; E6 search over synced rows, D6 offline cache): the bulk
path of a first sync indexes new rows for search exactly as the per-row triggers do,
keeps the triggers, and rolls back whole; wire times are stored as `sql_time` writes."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from core.cache import open_cache
from core.db import connect_raw, session_factory
from core.ids import new_id
from core.models.base import sql_time
from core.search import search_message_ids, search_ticket_ids
from sync.client import apply
from sync.client.apply import apply_page
from sync.client.entities import ENTITY_TABLES, _time_text
from sync.protocol import ChangeOut

WORDS = ["چاپگر", "شبکه", "ايميل", "رمز", "کند", "printer", "VPN", "قطع", "نصب", "فاکتور"]


def _pages(count: int, start_seq: int = 1) -> list[ChangeOut]:
    """`count` tickets with two messages each, as a server sends them."""
    out = []
    seq = start_seq
    now = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
    for n in range(count):
        ticket = new_id()
        words = f"{WORDS[n % 10]} {WORDS[(n * 3) % 10]} شماره{n}"
        data = {
            "id": ticket,
            "title": f"مشکل {words}",
            "description": "",
            "contact_email": f"c{n}@example.com",
            "created_at": (now + timedelta(minutes=n)).isoformat(),
            "updated_at": (now + timedelta(minutes=n, microseconds=n)).isoformat(),
            "version": 1,
            "status": "new",
            "severity": n % 3,
            "impact": 1,
            "priority": 2,
            "channel": "agent",
            "custom_values": {"n": n},
            "archived": False,
            "staff_state": "unread",
            "customer_state": "unread",
        }
        out.append(ChangeOut(op="upsert", entity="ticket", id=ticket, seq=seq, data=data))
        seq += 1
        for k in range(2):
            mid = new_id()
            body = f"سلام {WORDS[(n + k) % 10]} پیام{n}x{k}"
            msg = {
                "id": mid,
                "ticket_id": ticket,
                "kind": "customer_reply",
                "body": body,
                "channel": "email",
                "version": 1,
                "created_at": now.isoformat(),
                "updated_at": now.isoformat(),
            }
            out.append(ChangeOut(op="upsert", entity="message", id=mid, seq=seq, data=msg))
            seq += 1
    return out


@pytest.fixture
def cache_path(tmp_path: Path) -> Path:
    path = tmp_path / "cache.sqlite3"
    open_cache(path).dispose()
    return path


def _search(path: Path, words: list[str]) -> list[tuple[list[str], list[str]]]:
    engine = open_cache(path)
    try:
        with session_factory(engine)() as session:
            return [
                (
                    sorted(search_ticket_ids(session, w, limit=1000)),
                    sorted(search_message_ids(session, w, limit=1000)),
                )
                for w in words
            ]
    finally:
        engine.dispose()


def _triggers(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {r[0] for r in rows}


def test_e6_d6_bulk_first_page_is_searchable_like_row_by_row(tmp_path: Path) -> None:
    changes = _pages(120)
    bulk, rowwise = tmp_path / "bulk.sqlite3", tmp_path / "rows.sqlite3"
    for path in (bulk, rowwise):
        open_cache(path).dispose()
    triggers = _triggers(bulk)
    with closing(connect_raw(bulk)) as conn:
        apply_page(conn, changes, "1:360")
    # the same rows in pages too small for the bulk path: the triggers index them
    with closing(connect_raw(rowwise)) as conn:
        for i in range(0, len(changes), 30):
            apply_page(conn, changes[i : i + 30], f"1:{i + 30}")
    assert _triggers(bulk) == triggers and "messages_fts_ins" in triggers
    words = [*WORDS, "شماره7", "پیام5x1", "c9@example.com"]
    found = _search(bulk, words)
    assert found == _search(rowwise, words)
    tickets, messages = found[0]
    assert len(tickets) >= 12 and len(messages) >= 24  # "چاپگر" is in 1 of 10 titles
    with closing(sqlite3.connect(bulk)) as conn:
        assert conn.execute("SELECT count(*) FROM messages_fts_map").fetchone() == (240,)
        assert conn.execute("SELECT count(*) FROM tickets_fts_map").fetchone() == (120,)


def test_d6_bulk_page_that_fails_leaves_nothing_and_keeps_triggers(
    cache_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    triggers = _triggers(cache_path)

    def broken(conn: sqlite3.Connection, entity: str, *args: object) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(apply, "_replace_children", broken)
    with closing(connect_raw(cache_path)) as conn, pytest.raises(RuntimeError):
        apply_page(conn, _pages(80), "1:240")
    assert _triggers(cache_path) == triggers
    with closing(sqlite3.connect(cache_path)) as conn:
        for table in ("tickets", "messages", "tickets_fts_map", "messages_fts_map"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    # and the same page applies afterwards, found by search
    monkeypatch.undo()
    with closing(connect_raw(cache_path)) as conn:
        apply_page(conn, _pages(80), "1:240")
    assert _search(cache_path, ["شماره42"])[0][0]


def test_d6_edited_rows_after_a_bulk_page_reindex_through_the_update_trigger(
    cache_path: Path,
) -> None:
    changes = _pages(70)
    with closing(connect_raw(cache_path)) as conn:
        apply_page(conn, changes, "1:210")
        first = changes[0]
        assert first.data is not None
        renamed = {**first.data, "title": "عنوان تازه زرافه"}
        apply_page(
            conn,
            [ChangeOut(op="upsert", entity="ticket", id=first.id, seq=999, data=renamed)],
            "1:999",
        )
    assert _search(cache_path, ["زرافه"])[0][0] == [first.id]
    # the old title's own word is gone from the index (contentless: deleted by its key)
    assert first.id not in _search(cache_path, ["شماره0"])[0][0]
    assert changes[3].id in _search(cache_path, ["شماره1"])[0][0]


@pytest.mark.parametrize(
    "value",
    [
        datetime(2024, 5, 1, 10, 20, 30, 123456, tzinfo=UTC),
        datetime(2024, 5, 1, 10, 20, 30, tzinfo=UTC),
        datetime(2024, 12, 31, 23, 59, 59, 1, tzinfo=timezone(timedelta(hours=3, minutes=30))),
        datetime(2024, 1, 2, 3, 4, 5, 6),
    ],
)
def test_d6_wire_times_are_stored_as_sql_time_writes_them(value: datetime) -> None:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    assert _time_text(value.isoformat()) == sql_time(aware)
    meta = ENTITY_TABLES["ticket"]
    row = meta.row({"id": "t1", "created_at": value.isoformat(), "updated_seq": 5}, 42)
    assert row[meta.columns.index("created_at")] == sql_time(aware)
    assert row[meta.columns.index("updated_seq")] == 42
