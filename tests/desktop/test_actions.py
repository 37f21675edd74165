"""C3, E2, E4: the queue's actions driven through real widgets (context menu, toolbar,
single-key shortcuts) on a real cache, then a real sync to a real server on loopback,
then the server is asked what it holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.db import session_factory
from core.enums import Role, Status
from core.models import LeavePeriod, OutboxMutation, Stage, Ticket, User
from desktop.actions import TicketActions
from desktop.app import OpenCache
from desktop.views.assign_dialog import AssignDialog
from desktop.views.main_window import MainWindow
from tests.desktop.conftest import Desk

# the offscreen platform cannot raise windows or grab the keyboard for popup menus
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def _actions(window: MainWindow) -> TicketActions:
    actions = window.ticket_actions
    assert isinstance(actions, TicketActions)
    return actions


def _cached(desk: Desk, **where: object) -> list[Ticket]:
    engine = desk.engine()
    try:
        with session_factory(engine)() as session:
            query = select(Ticket).order_by(Ticket.number)
            for name, value in where.items():
                query = query.where(getattr(Ticket, name) == value)
            tickets = list(session.scalars(query))
            session.expunge_all()
            return tickets
    finally:
        engine.dispose()


def _select(qtbot: QtBot, window: MainWindow, *ticket_ids: str) -> None:
    model = window.model
    rows = [r for r in range(model.rowCount()) if model.ticket_id(r) in set(ticket_ids)]
    assert len(rows) == len(ticket_ids), "every ticket is in the queue"
    table = window.table
    table.clearSelection()
    selection = table.selectionModel()
    selection.setCurrentIndex(model.index(rows[0], 1), selection.SelectionFlag.NoUpdate)
    for row in rows:
        selection.select(
            model.index(row, 0), selection.SelectionFlag.Select | selection.SelectionFlag.Rows
        )
    window.activateWindow()
    table.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(table.hasFocus)


def _key(qtbot: QtBot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
    actions = _actions(window)
    with qtbot.waitSignal(actions.finished, timeout=10_000):
        QTest.keyClick(window.table, key, modifier)


def _menu_pick(qtbot: QtBot, window: MainWindow, object_name: str) -> None:
    """Right-click the current row and choose `object_name` from the context menu."""
    table = window.table
    rect = table.visualRect(table.currentIndex())
    table.customContextMenuRequested.emit(rect.center())
    menu = table.findChild(QMenu, "ticketContextMenu")
    assert menu is not None
    qtbot.waitUntil(menu.isVisible)
    action = next(a for a in menu.actions() if a.objectName() == object_name)
    assert action.isVisible() and action.isEnabled()
    menu.setActiveAction(action)
    QTest.keyClick(menu, Qt.Key.Key_Return)


def _server_ticket(desk: Desk, ticket_id: str) -> dict[str, object]:
    with desk.api() as api:
        reply = api.get(f"/tickets/{ticket_id}")
        assert reply.status_code == 200, reply.text
        data: dict[str, object] = reply.json()
        return data


def _pushed_ok(desk: Desk) -> None:
    report = desk.sync()
    engine = desk.engine()
    try:
        with session_factory(engine)() as session:
            left = session.scalars(select(OutboxMutation).where(OutboxMutation.state.is_(None)))
            assert list(left) == [], "every intent was pushed"
            refused = session.scalars(
                select(OutboxMutation).where(OutboxMutation.state.is_not(None))
            ).all()
            assert not [r for r in refused if r.state != "applied"], [
                (r.name, r.state, r.reason) for r in refused
            ]
    finally:
        engine.dispose()
    assert report is not None


def test_c3_refer_to_a_colleague_with_a_note_through_the_context_menu(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    window = opened.window
    ticket = next(t for t in _cached(desk, archived=False) if t.team_id)
    _select(qtbot, window, ticket.id)
    note = "لطفاً این درخواست را بررسی کنید؛ مشتری منتظر است. ref: INV-2041"

    dialogs: list[AssignDialog] = []

    def fill() -> None:
        dialog = window.findChild(AssignDialog, "assignDialog")
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, fill)
            return
        dialogs.append(dialog)

    QTimer.singleShot(0, fill)
    _menu_pick(qtbot, window, "refer")
    qtbot.waitUntil(lambda: bool(dialogs) and bool(dialogs[0].colleagues_shown()))
    dialog = dialogs[0]
    shown = dialog.colleagues_shown()
    # C3: team members with their open load; someone other than the ticket's assignee
    colleague = next(c for c in shown if c.id not in (ticket.assignee_id, desk.user_id))
    assert all(c.open_tickets >= 0 for c in shown)
    # nothing chosen: a clear message, the note kept
    dialog.colleague_list.clearSelection()
    dialog.note_edit.setFocus()
    dialog.note_edit.insertPlainText(note)  # QTest types ASCII only; Persian comes by IME
    dialog.try_accept()
    assert dialog.isVisible() and not dialog.error_label.isHidden()
    assert dialog.error_label.text() == "همکاری را برای ارجاع برگزینید."
    assert dialog.note_edit.toPlainText() == note
    assert dialog.select_colleague(colleague.id)
    with qtbot.waitSignal(_actions(window).finished, timeout=10_000):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()

    local = _cached(desk, id=ticket.id)[0]
    assert local.assignee_id == colleague.id
    _pushed_ok(desk)
    server = _server_ticket(desk, ticket.id)
    assert server["assignee_id"] == colleague.id
    with desk.api() as api:
        messages = api.get(f"/tickets/{ticket.id}/messages").json()["items"]
    notes = [m for m in messages if m["kind"] == "internal_note" and m["body"] == note]
    assert len(notes) == 1 and notes[0]["author_user_id"] == desk.user_id


def test_e4_stage_change_from_the_s_key_menu(qtbot: QtBot, desk: Desk, opened: OpenCache) -> None:
    window = opened.window
    ticket = next(t for t in _cached(desk, archived=False) if t.team_id and t.stage_id)
    engine = desk.engine()
    with session_factory(engine)() as session:
        target = session.scalars(
            select(Stage)
            .where(Stage.team_id == ticket.team_id, Stage.id != ticket.stage_id)
            .where(Stage.is_closed.is_(False))
            .order_by(Stage.sequence)
        ).first()
        assert target is not None
        target_id, target_name = target.id, target.name
    engine.dispose()
    _select(qtbot, window, ticket.id)
    QTest.keyClick(window.table, Qt.Key.Key_S)
    menu = window.table.findChild(QMenu, "stageMenu")
    assert menu is not None
    qtbot.waitUntil(menu.isVisible)
    action = next(a for a in menu.actions() if a.objectName() == f"stage:{target_id}")
    assert action.text() == target_name
    checked = [a.objectName() for a in menu.actions() if a.isChecked()]
    assert checked == [f"stage:{ticket.stage_id}"]
    with qtbot.waitSignal(_actions(window).finished, timeout=10_000):
        action.trigger()
        menu.close()
    _pushed_ok(desk)
    assert _server_ticket(desk, ticket.id)["stage_id"] == target_id


def test_e4_follow_close_reopen_archive_by_keys(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    window = opened.window
    ticket = next(
        t for t in _cached(desk, archived=False) if t.status is not Status.CLOSED and t.team_id
    )
    _select(qtbot, window, ticket.id)
    no = Qt.KeyboardModifier.NoModifier

    _key(qtbot, window, Qt.Key.Key_F, no)  # follow
    _pushed_ok(desk)
    followers = _server_ticket(desk, ticket.id)["followers"]
    assert {"user_id": desk.user_id, "contact_id": None} in followers  # type: ignore[operator]

    _key(qtbot, window, Qt.Key.Key_C, no)  # close (still selected: the "all" queue keeps it)
    assert _cached(desk, id=ticket.id)[0].status is Status.CLOSED
    _pushed_ok(desk)
    closed = _server_ticket(desk, ticket.id)
    assert closed["status"] == "closed"

    _key(qtbot, window, Qt.Key.Key_O, no)  # reopen
    _pushed_ok(desk)
    reopened = _server_ticket(desk, ticket.id)
    assert reopened["status"] == "in_progress"
    engine = desk.engine()
    with session_factory(engine)() as session:
        stage = session.get(Stage, reopened["stage_id"])
        assert stage is not None and not stage.is_closed
    engine.dispose()

    _key(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ShiftModifier)  # unfollow
    _key(qtbot, window, Qt.Key.Key_E, no)  # archive: the ticket leaves the "all" queue
    assert ticket.id not in [window.model.ticket_id(r) for r in range(window.model.rowCount())]
    _pushed_ok(desk)
    archived = _server_ticket(desk, ticket.id)
    assert archived["archived"] is True
    assert {"user_id": desk.user_id, "contact_id": None} not in archived["followers"]  # type: ignore[operator]


def test_e2_bulk_close_of_three_selected_tickets(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    window = opened.window
    open_ones = [t for t in _cached(desk, archived=False) if t.status is not Status.CLOSED][:3]
    assert len(open_ones) == 3
    ids = [t.id for t in open_ones]
    _select(qtbot, window, *ids)
    assert sorted(_actions(window).selected_ids()) == sorted(ids)
    with qtbot.waitSignal(_actions(window).finished, timeout=10_000) as blocker:
        _menu_pick(qtbot, window, "close")
    result = blocker.args[0] if blocker.args else None
    assert result is not None and sorted(result.changed) == sorted(ids)
    assert "۳" in window.statusBar().currentMessage()
    _pushed_ok(desk)
    for ticket_id in ids:
        assert _server_ticket(desk, ticket_id)["status"] == "closed"


def test_e4_shortcuts_do_nothing_while_typing_in_the_search_box(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    window = opened.window
    ticket = next(t for t in _cached(desk, archived=False) if t.status is not Status.CLOSED)
    _select(qtbot, window, ticket.id)
    window.focus_search()
    qtbot.waitUntil(window.search_box.hasFocus)
    QTest.keyClicks(window.search_box, "ceoa")
    QTest.keyClick(window.search_box, Qt.Key.Key_Delete)
    assert window.search_box.text() == "ceoa"
    opened.runner.wait_idle()
    QApplication.processEvents()
    engine = desk.engine()
    with session_factory(engine)() as session:
        assert session.scalars(select(OutboxMutation)).all() == []
        fresh = session.get(Ticket, ticket.id)
        assert fresh is not None and fresh.status is ticket.status and not fresh.archived
    engine.dispose()


def test_c3_screenshot_of_the_assign_dialog(qtbot: QtBot, desk: Desk, opened: OpenCache) -> None:
    window = opened.window
    ticket = next(t for t in _cached(desk, archived=False) if t.team_id)
    # a colleague on planned leave now (O5): the list marks them
    engine = desk.engine()
    with session_factory(engine)() as session:
        away = session.scalars(
            select(User)
            .where(User.role == Role.AGENT, User.id != desk.user_id)
            .order_by(User.username)
        ).first()
        assert away is not None
        away_id = away.id
        now = datetime.now(UTC)
        session.add(
            LeavePeriod(
                user_id=away_id, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=6)
            )
        )
        session.commit()
    engine.dispose()
    _select(qtbot, window, ticket.id)
    actions = _actions(window)
    QTimer.singleShot(0, actions.on_refer)
    qtbot.waitUntil(lambda: window.findChild(AssignDialog, "assignDialog") is not None)
    dialog = window.findChild(AssignDialog, "assignDialog")
    assert dialog is not None
    qtbot.waitUntil(lambda: bool(dialog.colleagues_shown()))
    assert dialog.isRightToLeft()
    leave = next(c for c in dialog.colleagues_shown() if c.id == away_id)
    assert leave.on_leave
    marked = [
        dialog.colleague_list.topLevelItem(i)
        for i in range(dialog.colleague_list.topLevelItemCount())
    ]
    texts = [item.text(2) for item in marked if item is not None and item.text(0) == leave.name]
    assert texts and texts[0].startswith("در مرخصی تا ")
    dialog.note_edit.insertPlainText("مشتری دوباره تماس گرفت؛ شماره قرارداد 1403-77")
    dialog.select_colleague(dialog.colleagues_shown()[1].id)
    dialog.resize(520, 560)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "assign_dialog_fa.png"
    assert dialog.grab().save(str(target))
    assert target.stat().st_size > 10_000
    dialog.reject()
