"""D2, D6: the queue keeps the agent's selection, current ticket and scroll position (by
ticket id, not row number) when it reloads after a sync, also while a queue's first screen
is in and the rest of its ids still on the way; a ticket that left the queue drops out of
the selection. Real window, real cache, a real server on loopback with another user
changing tickets, the window's own SyncBridge bringing the changes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from core.enums import Role
from core.local_edits import edit_ticket_locally
from core.queues import QueueKind, SortKey
from desktop.app import OpenCache
from desktop.i18n import Localization
from desktop.models import queue_model
from desktop.models.queue_model import Column
from desktop.views.main_window import MainWindow
from tests.desktop.conftest import Desk
from tests.desktop.test_sync_indicator import close, open_synced

SCREEN = 20
"""The first screen's size here: the demo agent sees ~45 tickets, so a queue of them has a
first screen and a rest (the window's is 60 rows)."""


@pytest.fixture(autouse=True)
def _small_first_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queue_model, "FIRST_PAGE", SCREEN)


def _by_updated(qtbot: QtBot, opened: OpenCache) -> None:
    """Every ticket, the last updated first: any change moves its ticket to the top."""
    window, runner = opened.window, opened.runner
    window.sidebar.select(QueueKind.ALL)
    window.table.sortByColumn(Column.UPDATED, Qt.SortOrder.DescendingOrder)
    assert window.model.query.sort is SortKey.UPDATED and window.model.query.descending
    qtbot.waitUntil(lambda: window.model.is_complete and not runner.busy(), timeout=10_000)
    assert window.model.rowCount() > SCREEN + 5  # a first screen and a rest


def _pick(window: MainWindow, rows: list[int], current: int) -> None:
    """Select `rows` (whole rows, as a click and ctrl-clicks do) with `current` current."""
    model, selection = window.model, window.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag
    selection.clearSelection()
    selection.setCurrentIndex(model.index(current, Column.TITLE), flags.NoUpdate)
    for row in rows:
        selection.select(model.index(row, 0), flags.Select | flags.Rows)


def _selected(window: MainWindow) -> set[str]:
    rows = {i.row() for i in window.table.selectionModel().selectedRows()}
    return {window.model.ticket_id(r) for r in rows}


def _current(window: MainWindow) -> str | None:
    index = window.table.currentIndex()
    return window.model.ticket_id(index.row()) if index.isValid() else None


def _row_of(window: MainWindow, ticket_id: str) -> int:
    model = window.model
    return next(r for r in range(model.rowCount()) if model.ticket_id(r) == ticket_id)


def test_d2_d6_sync_keeps_selection_current_and_scroll_by_ticket_id(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: object
) -> None:
    opened = open_synced(desk, persian, qtbot)
    window, bridge = opened.window, opened.sync
    assert bridge is not None
    try:
        opened.start_sync()
        qtbot.waitUntil(lambda: bridge.running and bridge.state.status == "online")
        _by_updated(qtbot, opened)
        model, table = window.model, window.table
        last = model.rowCount() - 1
        # four tickets picked for a bulk action, two of them past the first screen, the one
        # being read current; the view scrolled down a little
        picked_rows = [3, 12, SCREEN + 2, SCREEN + 10]
        picked = [model.ticket_id(r) for r in picked_rows]
        _pick(window, picked_rows, current=12)
        table.verticalScrollBar().setValue(8)
        top = model.ticket_id(table.rowAt(0))
        assert top == model.ticket_id(8)
        moved = model.ticket_id(last)  # another user edits it: it jumps to the top
        gone = picked[2]  # and archives this picked one: it leaves the queue
        _other, other = desk.server.user_client(Role.SUPERVISOR)
        with other:
            reply = other.patch(f"/tickets/{moved}", json={"title": "ویرایش همکار دیگر"})
            assert reply.status_code == 200, reply.text
            reply = other.post(f"/tickets/{gone}/archive", json={"archived": True})
            assert reply.status_code == 200, reply.text
        rows_before = model.rowCount()

        with qtbot.waitSignal(bridge.synced, timeout=15_000):
            bridge.sync_now()
        # (the event stream may have brought the edit by a sync of its own already)
        qtbot.waitUntil(
            lambda: (
                model.is_complete
                and not opened.runner.busy()
                and model.rowCount() == rows_before - 1
                and model.ticket_id(0) == moved
            ),  # the rows did move: +1 above the archived one
            timeout=10_000,
        )
        assert model.index(0, Column.TITLE).data() == "ویرایش همکار دیگر"
        assert gone not in {model.ticket_id(r) for r in range(model.rowCount())}
        kept = [picked[0], picked[1], picked[3]]
        assert _selected(window) == set(kept)  # the same tickets, not the same rows
        assert [_row_of(window, t) for t in kept] == [4, 13, SCREEN + 10]
        assert _current(window) == picked[1]
        assert table.rowAt(0) == 9 and model.ticket_id(9) == top  # the view did not jump
    finally:
        close(opened, qtbot)


@pytest.mark.parametrize("how", ["rest_of_the_ids", "sync_during_the_first_screen"])
def test_d2_d6_selection_in_the_first_screen_kept_when_the_rest_arrives(
    qtbot: QtBot, opened: OpenCache, how: str
) -> None:
    """The agent picks rows of a queue's first screen before the rest of its ids came,
    and the cache changes meanwhile (a sync): when the whole list is in, the same tickets
    are selected and current, at their new rows."""
    window = opened.window
    _by_updated(qtbot, opened)
    model = window.model
    whole = model.rowCount()
    moved = model.ticket_id(whole - 1)
    window.sidebar.select(QueueKind.ALL_OPEN)  # another queue, then back
    qtbot.waitUntil(lambda: model.is_complete and not opened.runner.busy(), timeout=10_000)
    window.sidebar.select(QueueKind.ALL)
    assert model.rowCount() == SCREEN and not model.is_complete  # the first screen only
    picked = [model.ticket_id(2), model.ticket_id(15)]
    _pick(window, [2, 15], current=15)
    with opened.runner.session_factory() as session:  # what a sync writes, meanwhile
        edit_ticket_locally(session, moved, {"title": "تازه در میانه"})
        session.commit()
    if how == "sync_during_the_first_screen":
        window.refresh_after_sync(True)

    qtbot.waitUntil(lambda: model.is_complete and not opened.runner.busy(), timeout=10_000)

    assert model.rowCount() == whole and model.ticket_id(0) == moved
    assert _selected(window) == set(picked)
    assert [_row_of(window, t) for t in picked] == [3, 16]
    assert _current(window) == picked[1]
