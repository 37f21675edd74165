"""The local cache: WAL, migrated to head, and re-indexed when the search folding changes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from core.cache import open_cache
from core.db import session_factory
from core.search import SEARCH_KEY_VERSION, search_ticket_ids
from core.tickets import create_ticket


def test_e6_open_cache_reindexes_after_a_normaliser_change(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    engine = open_cache(path)
    with session_factory(engine)() as session:
        ticket = create_ticket(session, title="كتاب", contact_email="a@example.com")
        session.commit()
    with engine.begin() as conn:
        # as if an older build had indexed with another folding: wipe the index, mark it old
        conn.execute(text("INSERT INTO tickets_fts (tickets_fts) VALUES ('delete-all')"))
        conn.execute(text("UPDATE search_meta SET value = 'old' WHERE name = 'search_key_version'"))
    with session_factory(engine)() as session:
        assert search_ticket_ids(session, "کتاب") == []
    engine.dispose()

    engine = open_cache(path)
    with engine.connect() as conn:
        version = conn.execute(
            text("SELECT value FROM search_meta WHERE name = 'search_key_version'")
        ).scalar()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert version == SEARCH_KEY_VERSION
    with session_factory(engine)() as session:
        assert search_ticket_ids(session, "کتاب") == [ticket.id]
    engine.dispose()
