"""E7, D6: the sync engine in the window on qasync's loop, against a real server on
loopback: the indicator's states (online, offline when the server stops, error when the
session is revoked), the pending count, "Sync now" and the refresh after a sync."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.cache import open_cache
from core.db import session_factory, sqlite_url
from core.enums import Role
from core.local_edits import edit_ticket_locally
from core.models import Ticket
from core.queues import QueueKind
from desktop.app import OpenCache, open_window
from desktop.i18n import Localization
from desktop.models.queue_model import Column
from desktop.sync_bridge import SyncBridge
from sync.client.engine import AuthError
from tests.desktop.conftest import Desk
from tests.desktop.sync_helpers import flush_deletes, run
from tests.sync.server_fixture import running_server

FAST: dict[str, float] = {"backoff": 0.05, "max_backoff": 0.2, "retries": 1, "timeout": 5.0}


def open_synced(desk: Desk, loc: Localization, qtbot: QtBot, **options: float) -> OpenCache:
    bridge = SyncBridge(
        desk.cache_path, desk.server.url, desk.token, engine_options={**FAST, **options}
    )
    opened = open_window(
        cache_path=desk.cache_path, localization=loc, user_id=desk.user_id, sync=bridge
    )
    opened.window.resize(1280, 800)
    opened.window.show()
    return opened


def close(opened: OpenCache, qtbot: QtBot) -> None:
    run(qtbot, opened.aclose())
    flush_deletes()


def first_open_ticket(desk: Desk, user_id: str | None = None) -> str:
    engine = desk.engine()
    with session_factory(engine)() as s:
        stmt = select(Ticket.id).where(Ticket.archived.is_(False), Ticket.status != "closed")
        if user_id:
            stmt = stmt.where(Ticket.assignee_id == user_id)
        ticket_id = s.scalars(stmt.order_by(Ticket.number)).first()
    engine.dispose()
    assert ticket_id is not None
    return ticket_id


def test_e7_indicator_online_then_pending_then_sent(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: object
) -> None:
    opened = open_synced(desk, persian, qtbot)
    indicator = opened.indicator
    assert indicator is not None
    try:
        opened.start_sync()
        bridge = opened.sync
        assert bridge is not None
        qtbot.waitUntil(lambda: bridge.state.status == "online")
        assert "برخط" in indicator.status_label.text()
        assert bridge.state.last_sync_at is not None
        assert indicator.pending_label.isHidden()
        # a local edit while the engine waits: the count shows before the round sends it
        ticket_id = first_open_ticket(desk)
        with opened.runner.session_factory() as s:
            edit_ticket_locally(s, ticket_id, {"title": "عنوان تازه از پنجره"})
            edit_ticket_locally(s, ticket_id, {"severity": 2})
        indicator.refresh_counts()
        qtbot.waitUntil(lambda: "۲" in indicator.pending_label.text())
        opened.window.refresh_after_sync(True)
        # poke: the engine sends them, the count goes to zero, the server has them
        with qtbot.waitSignal(bridge.synced, timeout=10_000):
            opened.window._context.local_edit_done()
        qtbot.waitUntil(indicator.pending_label.isHidden)
        with desk.api() as api:
            got = api.get(f"/tickets/{ticket_id}").json()
        assert got["title"] == "عنوان تازه از پنجره" and got["severity"] == 2
    finally:
        close(opened, qtbot)


@pytest.fixture
def stoppable(desk_template: Path, tmp_path: Path) -> Iterator[tuple[Desk, ExitStack]]:
    """Like `desk`, but the test can stop the server (close the stack)."""
    from desktop.demo import first_agent
    from tests.desktop.conftest import Desk as DeskType

    db = tmp_path / "server.sqlite3"
    shutil.copy(desk_template, db)
    stack = ExitStack()
    server = stack.enter_context(running_server(sqlite_url(db), tmp_path))
    with server.sessions() as session:
        agent = first_agent(session)
        assert agent is not None
        user_id, name = agent.id, agent.display_name
    cache = tmp_path / "cache.sqlite3"
    open_cache(cache).dispose()
    d = DeskType(server, cache, server.token_for(user_id), user_id, name)
    d.sync()
    try:
        yield d, stack
    finally:
        stack.close()


def test_e7_server_stops_indicator_says_offline_and_keeps_edits(
    qtbot: QtBot, persian: Localization, stoppable: tuple[Desk, ExitStack], aio: object
) -> None:
    desk, stack = stoppable
    opened = open_synced(desk, persian, qtbot)
    indicator = opened.indicator
    assert indicator is not None and opened.sync is not None
    bridge = opened.sync
    try:
        opened.start_sync()
        qtbot.waitUntil(lambda: bridge.state.status == "online")
        stack.close()  # the server goes away
        ticket_id = first_open_ticket(desk)
        with opened.runner.session_factory() as s:
            edit_ticket_locally(s, ticket_id, {"title": "نوشته در حالت آفلاین"})
        bridge.poke()
        qtbot.waitUntil(lambda: bridge.state.status == "offline", timeout=15_000)
        qtbot.waitUntil(lambda: "آفلاین" in indicator.status_label.text())
        assert "ارسال" in indicator.status_label.toolTip()  # "kept and sent when it is back"
        qtbot.waitUntil(lambda: "۱" in indicator.pending_label.text())
        assert not indicator.pending_label.isHidden()
    finally:
        close(opened, qtbot)


def test_e7_sync_now_brings_another_agents_edit_and_refreshes_the_queue(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: object
) -> None:
    opened = open_synced(desk, persian, qtbot)
    window, indicator = opened.window, opened.indicator
    bridge = opened.sync
    assert bridge is not None and indicator is not None
    try:
        opened.start_sync()
        qtbot.waitUntil(lambda: bridge.running and bridge.state.status == "online")
        window.show_queue(QueueKind.ALL_OPEN)
        qtbot.waitUntil(lambda: window.model.is_complete and window.model.rowCount() > 0)
        ticket_id = window.model.ticket_id(window.model.rowCount() - 1)
        with desk.api() as api:
            reply = api.patch(f"/tickets/{ticket_id}", json={"title": "تغییر از سرور ۷۷"})
            assert reply.status_code == 200, reply.text
        # "Sync now" in the status bar (the event stream would bring it too)
        with qtbot.waitSignal(bridge.synced, timeout=10_000):
            QTest.mouseClick(indicator.sync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.model.is_complete and not opened.runner.busy())
        titles = [
            window.model.index(r, Column.TITLE).data() for r in range(window.model.rowCount())
        ]
        assert "تغییر از سرور ۷۷" in titles  # the queue was reloaded after the sync
    finally:
        close(opened, qtbot)


def test_e7_revoked_session_shows_sync_error_with_the_reason(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: object
) -> None:
    opened = open_synced(desk, persian, qtbot)
    indicator, bridge = opened.indicator, opened.sync
    assert bridge is not None and indicator is not None
    try:
        run(qtbot, bridge.sync_once())
        _admin, admin = desk.server.user_client(Role.ADMIN)
        with admin:
            assert admin.post(f"/auth/users/{desk.user_id}/revoke").status_code == 200
        task = asyncio.ensure_future(bridge.sync_once())
        qtbot.waitUntil(task.done, timeout=15_000)
        assert isinstance(task.exception(), AuthError)
        qtbot.waitUntil(lambda: "خطای همگام‌سازی" in indicator.status_label.text())
        assert "sign in again" in indicator.status_label.toolTip().lower()
    finally:
        close(opened, qtbot)
