"""E4, D1: a ticket window goes to the next / previous ticket of the queue it was opened
from, in the queue's current order, in its own place; the draft of the one it leaves is
kept; at either end the way on is off. Under right-to-left "next" is Alt+Left. Real main
window over a real cache synced from a real server on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolButton
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from desktop.app import OpenCache
from desktop.i18n import Language, Localization
from desktop.models.queue_model import Column
from desktop.views.main_window import MainWindow
from desktop.views.ticket_view import TicketView
from tests.desktop.conftest import Desk

# offscreen windows can be neither raised nor stacked
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def _ids(window: MainWindow) -> list[str]:
    model = window.model
    return model.ticket_ids_between(0, model.rowCount())


def _loaded(qtbot: QtBot, opened: OpenCache, view: TicketView) -> TicketView:
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.header is not None and not opened.runner.busy(), timeout=10_000)
    return view


def _shown(qtbot: QtBot, opened: OpenCache, ticket_id: str) -> TicketView:
    """The window that shows `ticket_id` now, once its conversation is in."""
    views = opened.window.ticket_windows.views
    qtbot.waitUntil(lambda: ticket_id in views and views[ticket_id].isVisible())
    return _loaded(qtbot, opened, views[ticket_id])


def _key(view: TicketView, key: Qt.Key, modifiers: Qt.KeyboardModifier, text: str = "") -> None:
    view.activateWindow()
    QTest.sendKeyEvent(QTest.KeyAction.Click, view, key, text, modifiers)


@pytest.mark.usefixtures("desk")
def test_e4_d1_next_and_previous_walk_the_queue_and_keep_the_draft(
    qtbot: QtBot, opened: OpenCache, persian: Localization
) -> None:
    window = opened.window
    ids = _ids(window)
    assert len(ids) > 3
    first = _loaded(qtbot, opened, window.open_ticket(ids[0]))
    assert first.isRightToLeft()
    assert not first.previous_action.isEnabled() and first.next_action.isEnabled()
    assert first.position_label.text() == f"۱ از {persian.formatter.number(len(ids))}"
    size = first.size()

    draft = "پیش‌نویس پاسخ، تا برگردم"
    first.composer.editor.setFocus()
    first.composer.editor.insertPlainText(draft)
    # right-to-left: the next ticket is to the left
    assert first.next_action.shortcut() == QKeySequence("Alt+Left")
    _key(first, Qt.Key.Key_Left, ALT)
    second = _shown(qtbot, opened, ids[1])
    assert ids[0] not in window.ticket_windows.views  # replaced, not one more window
    qtbot.waitUntil(lambda: not isValid(first))  # closed and deleted
    assert second.size() == size
    assert second.previous_action.isEnabled() and second.next_action.isEnabled()
    assert second.composer.text() == ""

    _key(second, Qt.Key.Key_Period, CTRL, ".")  # Ctrl+.: next again
    third = _shown(qtbot, opened, ids[2])
    _key(third, Qt.Key(ord("و")), CTRL, "و")  # Ctrl+, under the Persian layout: previous
    again = _shown(qtbot, opened, ids[1])
    _key(again, Qt.Key.Key_Right, ALT)  # previous, back to the first
    back = _shown(qtbot, opened, ids[0])
    qtbot.waitUntil(lambda: back.composer.text() == draft)  # the draft was kept
    assert not back.previous_action.isEnabled()
    _key(back, Qt.Key.Key_Right, ALT)  # nothing before the first
    QApplication.processEvents()
    assert list(window.ticket_windows.views) == [ids[0]]

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    back.next_action.trigger()
    shot = _shown(qtbot, opened, ids[1])
    shot.resize(1200, 780)
    assert shot.grab().save(str(SCREENSHOTS / "ticket_navigation_fa.png"))
    buttons = {b.objectName(): b for b in shot.findChildren(QToolButton)}
    previous, following = buttons["previousTicketButton"], buttons["nextTicketButton"]
    assert previous.isVisible() and following.isVisible()
    # previous at the right, next at the left of it, as Persian reads
    assert (
        previous.mapTo(shot, previous.rect().center()).x()
        > following.mapTo(shot, following.rect().center()).x()
    )
    shot.close()


@pytest.mark.usefixtures("desk")
def test_e4_next_follows_the_queues_current_order_and_stops_at_its_end(
    qtbot: QtBot, opened: OpenCache
) -> None:
    window = opened.window
    ids = _ids(window)
    last = _loaded(qtbot, opened, window.open_ticket(ids[-1]))
    assert last.previous_action.isEnabled() and not last.next_action.isEnabled()
    _key(last, Qt.Key.Key_Left, ALT)  # nothing after the last
    QApplication.processEvents()
    assert list(window.ticket_windows.views) == [ids[-1]]

    # the agent sorts the queue the other way round: the window follows the new order
    window.model.sort(Column.NUMBER, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: window.model.is_complete and not opened.runner.busy())
    order = _ids(window)
    assert order != ids
    row = order.index(ids[-1])
    assert 0 < row < len(order) - 1
    assert last.previous_action.isEnabled() and last.next_action.isEnabled()
    last.next_action.trigger()
    _shown(qtbot, opened, order[row + 1])
    window.ticket_windows.views[order[row + 1]].previous_action.trigger()
    _shown(qtbot, opened, order[row])
    window.ticket_windows.views[order[row]].close()


def test_e4_d1_left_to_right_swaps_the_arrows_back(
    qtbot: QtBot, desk: Desk, opened: OpenCache, persian: Localization
) -> None:
    window = opened.window
    view = _loaded(qtbot, opened, window.open_ticket(_ids(window)[0]))
    persian.apply(Language.ENGLISH)
    qtbot.waitUntil(lambda: not view.isRightToLeft())
    assert view.next_action.shortcut() == QKeySequence("Alt+Right")
    assert view.previous_action.shortcut() == QKeySequence("Alt+Left")
    persian.apply(Language.PERSIAN)
    qtbot.waitUntil(view.isRightToLeft)
    assert view.next_action.shortcut() == QKeySequence("Alt+Left")
    view.close()
