"""D6 with issue 4's bootstrap, in the window: after a first sync by snapshot pages the
conversations of old tickets load in the background; the status bar says so, and a
ticket opened before its conversation arrived fetches it at once. Real server on
loopback, real widgets on qasync's loop."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from pytestqt.qtbot import QtBot

from core.cache import open_cache
from core.db import session_factory
from desktop.context import WindowContext
from desktop.i18n import Localization
from desktop.runner import DbRunner
from desktop.sync_bridge import SyncBridge
from desktop.views.sync_status import SyncStatusView
from desktop.views.ticket_view import TicketView
from tests.desktop.conftest import Desk
from tests.desktop.sync_helpers import flush_deletes, in_thread, run

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
FAST: dict[str, float] = {"backoff": 0.05, "max_backoff": 0.2, "retries": 1, "timeout": 5.0}


def messages_per_ticket(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        found = conn.execute("SELECT ticket_id, count(*) FROM messages GROUP BY ticket_id")
        return {str(t): int(n) for t, n in found}


def a_body(path: Path, ticket_id: str) -> str:
    with closing(sqlite3.connect(path)) as conn:
        row = conn.execute(
            "SELECT body FROM messages WHERE ticket_id = ? ORDER BY created_at", (ticket_id,)
        ).fetchone()
    return str(row[0])


def test_d6_an_old_ticket_opened_early_fetches_its_conversation_and_the_rest_follow(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: object
) -> None:
    """A fresh cache after `sync_once` only (headers and recent conversations). Must
    hold: the status bar shows the older conversations loading, in Persian; a ticket
    whose conversation is not in yet, opened now, shows its messages (the same number
    the complete cache holds) before any background loading ran; once the engine runs,
    every conversation comes in and the label goes away."""
    fresh = desk.cache_path.parent / "fresh.sqlite3"
    open_cache(fresh).dispose()
    in_thread(lambda: desk.sync(fresh, older=False), qtbot)
    complete, partial = messages_per_ticket(desk.cache_path), messages_per_ticket(fresh)
    missing = sorted(t for t in complete if t not in partial)
    assert missing, "every conversation came with the first sync: nothing is old"
    old = missing[0]

    bridge = SyncBridge(fresh, desk.server.url, desk.token, engine_options=FAST)
    engine = open_cache(fresh)
    runner = DbRunner(session_factory(engine))
    context = WindowContext(
        runner=runner,
        localization=persian,
        user_id=desk.user_id,
        user_name=desk.user_name,
        cache_path=fresh,
        sync=bridge,
    )
    status = SyncStatusView(bridge, runner, persian.formatter)
    qtbot.addWidget(status)
    status.show()
    try:
        assert not status.older_label.isHidden()
        assert "گفت‌وگوهای قدیمی‌تر" in status.older_label.text()
        status.resize(900, 28)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        assert status.grab().save(str(SCREENSHOTS / "older_conversations_fa.png"))

        view = TicketView(context, old)
        qtbot.addWidget(view)
        view.show()
        body = a_body(desk.cache_path, old)
        qtbot.waitUntil(lambda: body in view.conversation.toPlainText(), timeout=15_000)
        assert messages_per_ticket(fresh)[old] == complete[old]
        assert len(messages_per_ticket(fresh)) < len(complete), "only the opened one came"

        bridge.start()
        qtbot.waitUntil(status.older_label.isHidden, timeout=30_000)
        assert messages_per_ticket(fresh) == complete
        view.close()
    finally:
        run(qtbot, bridge.aclose())
        runner.wait_idle()
        engine.dispose()
        flush_deletes()
