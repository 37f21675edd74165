"""E4, D1: the queue's letter shortcuts and the window's Ctrl+letter ones work with the
Persian keyboard layout on. There the physical key "A" types "ش" and Qt reports the press
as key 0x634 with text "ش" (xkb and Windows alike), so the tests send exactly that to the
real window over a real cache synced from a real server, and check the cache."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.enums import Status
from core.models import OutboxMutation, Ticket
from core.triage import TicketBrief, briefs
from desktop.app import OpenCache
from desktop.shortcuts import persian_twin, with_persian_twins
from desktop.views.main_window import MainWindow
from desktop.views.ticket_form import TicketFormDialog
from tests.desktop.conftest import Desk

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

NO = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def _press(widget: QWidget, text: str, modifiers: Qt.KeyboardModifier = NO) -> None:
    """One key as Qt reports it under the Persian layout: the letter's code point as the
    key, the letter as the text (QTest.keyClick would make the text from ASCII only)."""
    QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key(ord(text)), text, modifiers)


def _brief(opened: OpenCache, ticket_id: str, user_id: str) -> TicketBrief:
    opened.runner.wait_idle()
    QApplication.processEvents()
    with opened.runner.session_factory() as session:
        return briefs(session, [ticket_id], user_id)[0]


def _select(qtbot: QtBot, window: MainWindow, ticket_id: str) -> None:
    model = window.model
    row = next(r for r in range(model.rowCount()) if model.ticket_id(r) == ticket_id)
    window.ticket_actions.select_rows([row])
    window.activateWindow()
    window.table.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(window.table.hasFocus)


def _persian_key(
    qtbot: QtBot, window: MainWindow, text: str, modifiers: Qt.KeyboardModifier = NO
) -> None:
    """Press `text` on the focused queue and wait for the action's edit to land."""
    with qtbot.waitSignal(window.ticket_actions.finished, timeout=5_000):
        _press(window.table, text, modifiers)


def test_e4_d1_twins_follow_the_standard_persian_layout() -> None:
    # the home row and the shifted letters as ISIRI 9147 (xkb `ir`) types them
    assert persian_twin("A") == QKeySequence("ش")
    assert persian_twin("S") == QKeySequence("س")
    assert persian_twin("C") == QKeySequence("ز")
    assert persian_twin("Shift+F") == QKeySequence("Shift+إ")
    assert persian_twin("Shift+E") == QKeySequence("Shift+\u064d")
    assert persian_twin("Ctrl+N") == QKeySequence("Ctrl+د")
    assert persian_twin("Ctrl+,") == QKeySequence("Ctrl+و")
    # keys that type the same under Persian need no twin
    for same in ("Del", "F5", "Alt+Left", "Ctrl+.", "Ctrl+Return", ""):
        assert persian_twin(same) is None, same
    # the first stays the one menus and tooltips show; no repeats
    keys = with_persian_twins(["E", "Del", "E"])
    assert keys == [QKeySequence("E"), QKeySequence("Del"), QKeySequence("ث")]


def test_e4_d1_persian_letters_run_the_queue_actions(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    window = opened.window
    me = desk.user_id
    with opened.runner.session_factory() as session:
        ticket = next(
            t
            for t in session.scalars(select(Ticket).order_by(Ticket.number))
            if t.status is not Status.CLOSED
            and not t.archived
            and t.assignee_id != me
            and t.team_id is not None
        )
        ticket_id = ticket.id
    assert not _brief(opened, ticket_id, me).following
    _select(qtbot, window, ticket_id)

    _persian_key(qtbot, window, "ش")  # the "A" key: assign to me (the assignee follows)
    assigned = _brief(opened, ticket_id, me)
    assert assigned.assignee_id == me and assigned.following
    _persian_key(qtbot, window, "إ", SHIFT)  # Shift+"F": unfollow
    assert not _brief(opened, ticket_id, me).following
    _persian_key(qtbot, window, "ب")  # "F": follow
    assert _brief(opened, ticket_id, me).following
    _persian_key(qtbot, window, "ز")  # "C": close
    assert _brief(opened, ticket_id, me).closed
    _persian_key(qtbot, window, "خ")  # "O": reopen
    assert not _brief(opened, ticket_id, me).closed
    _persian_key(qtbot, window, "ث")  # "E": archive (the ticket leaves the queue)
    assert _brief(opened, ticket_id, me).archived
    model = window.model
    assert ticket_id not in model.ticket_ids_between(0, model.rowCount())
    # and every other letter shortcut of the queue (refer, stage, customer file) has its twin
    for action in window.ticket_actions.all_actions:
        keys = action.shortcuts()
        for latin in keys:
            twin = persian_twin(latin)
            assert twin is None or twin in keys, (action.objectName(), latin.toString())
    assert QKeySequence("ق") in window.ticket_actions.refer.shortcuts()
    assert QKeySequence("س") in window.ticket_actions.stage.shortcuts()

    # the same letters typed in the search box stay text and run nothing
    _select(qtbot, window, window.model.ticket_id(0))
    opened.runner.wait_idle()
    with opened.runner.session_factory() as session:
        edits = len(session.scalars(select(OutboxMutation)).all())
    window.focus_search()
    qtbot.waitUntil(window.search_box.hasFocus)
    for letter in "شزثخ":  # A, C, E, O under Persian
        _press(window.search_box, letter)
    assert window.search_box.text() == "شزثخ"
    opened.runner.wait_idle()
    QApplication.processEvents()
    with opened.runner.session_factory() as session:
        assert len(session.scalars(select(OutboxMutation)).all()) == edits


def test_e4_d1_ctrl_with_persian_letters_opens_the_form_and_the_search(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    window = opened.window
    window.activateWindow()
    window.table.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(window.table.hasFocus)

    _press(window.table, "ب", CTRL)  # Ctrl+F under Persian: the search box
    qtbot.waitUntil(window.search_box.hasFocus)

    window.table.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(window.table.hasFocus)
    _press(window.table, "د", CTRL)  # Ctrl+N under Persian: the new-ticket form

    def form() -> TicketFormDialog | None:
        return next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, TicketFormDialog) and w.isVisible()
            ),
            None,
        )

    qtbot.waitUntil(lambda: form() is not None)
    dialog = form()
    assert dialog is not None and dialog.form.ticket_id is None
    opened.runner.wait_idle()
    dialog.reject()
