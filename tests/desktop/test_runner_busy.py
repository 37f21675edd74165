"""The window's background jobs and the sync engine share one cache file: a job that
reads, then writes after the engine committed, must not fail (D6: an edit is never lost
because a sync was applying at that moment)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cache import open_cache
from core.db import connect_raw, session_factory
from core.local_edits import edit_ticket_locally
from core.models import Ticket
from desktop.runner import DbRunner


def _engine_like_writer(path: Path, stop: threading.Event) -> None:
    """Commits every few milliseconds, as the engine's apply does page by page."""
    conn = connect_raw(path)
    try:
        n = 0
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT OR REPLACE INTO sync_state (key, value) VALUES ('bench', ?)", (str(n),)
            )
            conn.execute("COMMIT")
            n += 1
            time.sleep(0.002)
    finally:
        conn.close()


def test_d6_edits_on_the_runner_survive_the_engine_committing_meanwhile(
    qtbot: QtBot, demo_cache: Path, tmp_path: Path
) -> None:
    path = tmp_path / "cache.sqlite3"
    shutil.copy(demo_cache, path)
    engine = open_cache(path)
    runner = DbRunner(session_factory(engine))
    with session_factory(engine)() as s:
        ids = list(s.scalars(select(Ticket.id).limit(25)))
    done: list[str] = []
    failed: list[BaseException] = []

    def job(ticket_id: str, n: int) -> Callable[[Session], str]:
        def work(session: Session) -> str:
            ticket = session.get(Ticket, ticket_id)  # a read opens the snapshot ...
            assert ticket is not None
            time.sleep(0.005)  # ... the engine commits meanwhile ...
            edit_ticket_locally(session, ticket_id, {"title": f"edited {n}"})  # ... a write
            return ticket_id

        return work

    stop = threading.Event()
    writer = threading.Thread(target=_engine_like_writer, args=(path, stop), daemon=True)
    writer.start()
    try:
        for n, ticket_id in enumerate(ids):
            runner.submit(job(ticket_id, n), done.append, on_error=failed.append)
        qtbot.waitUntil(lambda: len(done) + len(failed) == len(ids), timeout=30_000)
    finally:
        stop.set()
        writer.join()
        runner.wait_idle()
    assert failed == [], failed[:1]
    with session_factory(engine)() as s:
        titles = {t.id: t.title for t in s.scalars(select(Ticket).where(Ticket.id.in_(ids)))}
    assert titles == {ticket_id: f"edited {n}" for n, ticket_id in enumerate(ids)}
    engine.dispose()
