"""O1: the kanban of stages, driven through real widgets in Persian on a real cache synced
from a real server on loopback: columns and counts against core's counts, a card dropped
on another column (a real QDropEvent carrying the source view's own QMimeData), the
keyboard move, folded stages, and the server holding the new stage after a sync."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from core.db import session_factory
from core.kanban import board_stages, board_teams, column_query
from core.models import OutboxMutation, Stage, Team, TeamMember, Ticket
from core.queues import count
from desktop.app import OpenCache, open_window
from desktop.i18n import Localization
from desktop.views.kanban import BoardLauncher, KanbanWindow, StageColumn
from desktop.views.main_window import MainWindow
from sync.client.conflicts import load_conflicts, load_rejected
from tests.desktop.conftest import Desk

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture
def opened(opened: OpenCache) -> Iterator[OpenCache]:
    """conftest's main window, its board closed before the window's own teardown."""
    try:
        yield opened
    finally:
        board = _launcher(opened.window).board
        if board is not None:
            board.close()


def _launcher(window: MainWindow) -> BoardLauncher:
    launcher = window.boards
    assert isinstance(launcher, BoardLauncher)
    return launcher


def _open_board(qtbot: QtBot, opened: OpenCache) -> KanbanWindow:
    """Board menu > the first team, as the agent would."""
    window = opened.window
    launcher = _launcher(window)
    qtbot.waitUntil(lambda: bool(launcher.teams))
    menu = window.menuBar().findChild(QMenu, "boardMenu")
    assert menu is not None
    actions = [a for a in menu.actions() if not a.isSeparator()]
    assert [a.text() for a in actions] == [t.name for t in launcher.teams]
    actions[0].trigger()
    board = launcher.board
    assert board is not None
    qtbot.addWidget(board)
    qtbot.waitExposed(board)
    _settle(qtbot, opened, board)
    return board


def _settle(qtbot: QtBot, opened: OpenCache, board: KanbanWindow) -> None:
    qtbot.waitUntil(
        lambda: (
            not opened.runner.busy()
            and all(m.is_complete for m in board.board.columns.values())
            and bool(board.board.counts)
        )
    )


def _cached_ticket(desk: Desk, ticket_id: str) -> Ticket:
    engine = desk.engine()
    try:
        with session_factory(engine)() as session:
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            session.expunge(ticket)
            return ticket
    finally:
        engine.dispose()


def _server_stage(desk: Desk, ticket_id: str) -> object:
    with desk.api() as api:
        reply = api.get(f"/tickets/{ticket_id}")
        assert reply.status_code == 200, reply.text
        return reply.json()["stage_id"]


def _pushed(desk: Desk) -> None:
    desk.sync()
    engine = desk.engine()
    try:
        with session_factory(engine)() as session:
            left = session.scalars(
                select(OutboxMutation).where(OutboxMutation.state.is_(None))
            ).all()
            refused = session.scalars(
                select(OutboxMutation).where(OutboxMutation.state.is_not(None))
            ).all()
        assert not left, "every move was pushed"
        assert not [m for m in refused if m.state != "applied"], [
            (m.name, m.state, m.reason) for m in refused
        ]
    finally:
        engine.dispose()


def _folded(column: StageColumn) -> bool:
    """Read afresh each time (a click changes it)."""
    return column.folded


def _open_columns(board: KanbanWindow) -> list[StageColumn]:
    return [board.columns[s.id] for s in board.board.stages if not board.columns[s.id].folded]


def _join_last_team(desk: Desk) -> str:
    """Make the agent (in no team in the demo) a member of the team last by name, as a
    synced membership would, so "the agent's teams first" has something to reorder."""
    engine = desk.engine()
    try:
        with session_factory(engine)() as session:
            team_id = session.scalars(
                select(Team.id).where(Team.active.is_(True)).order_by(Team.name.desc())
            ).first()
            assert team_id is not None
            session.add(TeamMember(team_id=team_id, user_id=desk.user_id))
            session.commit()
            return team_id
    finally:
        engine.dispose()


def test_o1_board_shows_the_teams_stages_right_to_left_with_core_counts(
    qtbot: QtBot, desk: Desk, persian: Localization
) -> None:
    mine_id = _join_last_team(desk)
    handle = open_window(cache_path=desk.cache_path, localization=persian, user_id=desk.user_id)
    qtbot.addWidget(handle.window)
    handle.window.show()
    try:
        _check_board(qtbot, desk, handle, mine_id)
    finally:
        handle.runner.wait_idle()
        handle.engine.dispose()


def _check_board(qtbot: QtBot, desk: Desk, opened: OpenCache, mine_id: str) -> None:
    board = _open_board(qtbot, opened)
    engine = desk.engine()
    try:
        with session_factory(engine)() as session:
            teams = board_teams(session, desk.user_id)
            team = teams[0]
            assert team.id == mine_id and team.mine
            stages = board_stages(session, team.id)
            expected = {s.id: count(session, column_query(team.id, s.id)) for s in stages}
            team_total = session.scalar(select(Ticket.id).where(Ticket.team_id == team.id).limit(1))
    finally:
        engine.dispose()
    assert team_total is not None, "the demo team has tickets"
    # the agent's teams come first in the chooser, then the others
    assert [t.mine for t in teams] == [True] + [False] * (len(teams) - 1)
    assert board.team_box.currentData() == team.id
    assert [
        board.team_box.itemText(i)
        for i in range(board.team_box.count())
        if board.team_box.itemText(i)
    ] == [t.name for t in teams]

    assert [s.id for s in board.board.stages] == [s.id for s in stages]
    assert len(stages) >= 3
    # right to left: each later stage sits left of the one before it
    xs = [board.columns[s.id].mapTo(board, QPoint(0, 0)).x() for s in stages]
    assert xs == sorted(xs, reverse=True)
    assert board.board.counts == expected
    assert sum(expected.values()) > 0
    fa = opened.window.windowHandle()  # noqa: F841 - the main window stays up
    for stage in stages:
        column = board.columns[stage.id]
        n = expected[stage.id]
        assert column.model.rowCount() == n, stage.name
        label = column.strip.text() if column.folded else column.header.text()
        assert stage.name in label
        assert persian_digits(n) in label, "the count in Persian digits"


def persian_digits(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def _drop(source: StageColumn, target: StageColumn, row: int) -> None:
    """Drop the card in `row` of `source` onto `target`: the source view's own drag data,
    delivered to the target view as the events a drag sends."""
    index = source.model.index(row, source.cards.modelColumn())
    source.cards.setCurrentIndex(index)
    data: QMimeData = source.model.mimeData([index])
    viewport = target.cards.viewport()
    point = QPointF(viewport.rect().center())
    actions = Qt.DropAction.MoveAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    with warnings.catch_warnings():  # PySide marks the only constructors deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(point.toPoint(), actions, data, buttons, mods)
        move = QDragMoveEvent(point.toPoint(), actions, data, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted(), "the column takes the card"
    QApplication.sendEvent(viewport, move)
    assert move.isAccepted()
    drop = QDropEvent(point, actions, data, buttons, mods)
    QApplication.sendEvent(viewport, drop)
    assert drop.isAccepted()


def test_o1_drag_a_card_to_another_column_moves_the_ticket_and_syncs(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    board = _open_board(qtbot, opened)
    columns = _open_columns(board)
    source = next(c for c in columns if c.model.rowCount() > 0)
    target = next(c for c in columns if c is not source)
    ticket_id = source.model.ticket_id(0)
    before = {c.stage.id: board.board.counts[c.stage.id] for c in (source, target)}

    # a card dropped on its own column moves nothing
    own = source.model.mimeData([source.model.index(0, source.cards.modelColumn())])
    assert not source.model.canDropMimeData(
        own, Qt.DropAction.MoveAction, -1, -1, source.model.index(-1, -1)
    )

    with qtbot.waitSignal(board.board.moved, timeout=10_000):
        _drop(source, target, 0)
    _settle(qtbot, opened, board)

    assert _cached_ticket(desk, ticket_id).stage_id == target.stage.id
    assert ticket_id in [target.model.ticket_id(r) for r in range(target.model.rowCount())]
    assert ticket_id not in [source.model.ticket_id(r) for r in range(source.model.rowCount())]
    assert board.board.counts[source.stage.id] == before[source.stage.id] - 1
    assert board.board.counts[target.stage.id] == before[target.stage.id] + 1
    assert "۱" in board.statusBar().currentMessage()

    _pushed(desk)
    assert _server_stage(desk, ticket_id) == target.stage.id


def test_o1_keyboard_moves_a_card_along_the_pipeline_mirrored_right_to_left(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    board = _open_board(qtbot, opened)
    stages = board.board.stages
    open_ = [not board.columns[s.id].folded for s in stages]
    # a stage with cards whose next stage is shown, or whose previous one is (then the
    # card goes back first and forward again)
    i, step = next(
        (i, step)
        for step in (1, -1)
        for i in range(len(stages))
        if 0 <= i + step < len(stages)
        and board.board.counts[stages[i].id] > 0
        and open_[i]
        and open_[i + step]
    )
    first = board.columns[stages[i].id]
    second = board.columns[stages[i + step].id]
    # in Persian the next stage is on the left: Ctrl+Left moves a card forward
    there, back = Qt.Key.Key_Left, Qt.Key.Key_Right
    if step == -1:
        there, back = back, there
    ticket_id = first.model.ticket_id(0)
    board.activateWindow()
    first.cards.setCurrentIndex(first.model.index(0, first.cards.modelColumn()))
    first.cards.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(first.cards.hasFocus)

    with qtbot.waitSignal(board.board.moved, timeout=10_000):
        QTest.keyClick(first.cards, there, Qt.KeyboardModifier.ControlModifier)
    _settle(qtbot, opened, board)
    assert _cached_ticket(desk, ticket_id).stage_id == stages[i + step].id
    current = second.cards.currentIndex()
    assert current.isValid() and second.model.ticket_id(current.row()) == ticket_id
    assert second.cards.hasFocus(), "the moved card stays selected for the next key press"

    # and the other arrow brings it back
    with qtbot.waitSignal(board.board.moved, timeout=10_000):
        QTest.keyClick(second.cards, back, Qt.KeyboardModifier.ControlModifier)
    _settle(qtbot, opened, board)
    assert _cached_ticket(desk, ticket_id).stage_id == stages[i].id
    _pushed(desk)
    assert _server_stage(desk, ticket_id) == stages[i].id


def test_o1_folded_stage_collapses_to_a_strip_and_unfolds_on_click(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    board = _open_board(qtbot, opened)
    folded = [s for s in board.board.stages if s.folded]
    assert folded, "the demo pipeline has a folded (closed) stage"
    column = board.columns[folded[0].id]
    assert _folded(column) and not column.cards.isVisible() and column.strip.isVisible()
    assert column.width() < 80
    n = board.board.counts[folded[0].id]
    assert persian_digits(n) in column.strip.text()

    QTest.mouseClick(column.strip, Qt.MouseButton.LeftButton)
    assert not _folded(column) and column.cards.isVisible()
    assert column.width() > 200
    assert column.model.rowCount() == n

    QTest.mouseClick(column.header, Qt.MouseButton.LeftButton)
    assert _folded(column) and not column.cards.isVisible()


def _move_on_server(desk: Desk, ticket_id: str, from_stage: str, to_stage: str) -> None:
    """Another agent's client moves the ticket on the server (a real push)."""
    with desk.api() as api:
        ticket = api.get(f"/tickets/{ticket_id}").json()
        reply = api.post(
            "/sync/push",
            json={
                "client_id": "another-agents-client",
                "mutations": [
                    {
                        "seq": 1,
                        "id": str(uuid.uuid4()),
                        "name": "ticket.set_stage",
                        "entity_id": ticket_id,
                        "payload": {"stage_id": to_stage, "base": {"stage_id": from_stage}},
                        "base_version": ticket["version"],
                    }
                ],
            },
        )
        assert reply.status_code == 200, reply.text
        assert reply.json()["results"][0]["status"] == "applied", reply.text


def test_o1_a_move_the_server_refuses_shows_in_the_conflicts_list(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    board = _open_board(qtbot, opened)
    columns = _open_columns(board)
    source = next(c for c in columns if c.model.rowCount() > 0)
    others = [s for s in board.board.stages if s.id != source.stage.id]
    assert len(others) >= 2
    ticket_id = source.model.ticket_id(0)
    # meanwhile another agent moved the ticket elsewhere; this agent has not synced yet
    _move_on_server(desk, ticket_id, source.stage.id, others[0].id)
    target = next(c for c in columns if c.stage.id not in (source.stage.id, others[0].id))
    with qtbot.waitSignal(board.board.moved, timeout=10_000):
        _drop(source, target, 0)
    desk.sync()
    engine = desk.engine()
    try:
        with session_factory(engine)() as session:
            found = [c for c in load_conflicts(session) if c.ticket_id == ticket_id]
            refused = [r for r in load_rejected(session) if r.ticket_id == ticket_id]
    finally:
        engine.dispose()
    assert found or refused, "the refused move is in the conflicts list"
    assert _server_stage(desk, ticket_id) == others[0].id, "the server kept the other move"


def test_o1_board_reloads_after_a_sync_and_screenshot(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    board = _open_board(qtbot, opened)
    stages = board.board.stages
    # another agent moves a ticket on the server; the board shows it after a sync
    source = next(board.columns[s.id] for s in stages if board.board.counts[s.id] > 0)
    target = next(s for s in stages if s.id != source.stage.id and not s.is_closed)
    ticket_id = source.model.ticket_id(0)
    _move_on_server(desk, ticket_id, source.stage.id, target.id)
    desk.sync()
    board.refresh_after_sync(True)  # what SyncBridge.synced triggers through the launcher
    _settle(qtbot, opened, board)
    target_model = board.columns[target.id].model
    assert ticket_id in [target_model.ticket_id(r) for r in range(target_model.rowCount())]

    # the screenshot shows the busiest team with a folded stage
    engine = desk.engine()
    try:
        with session_factory(engine)() as session:
            folding = select(Stage.team_id).where(Stage.folded.is_(True))
            busiest = session.scalars(
                select(Ticket.team_id)
                .where(Ticket.archived.is_(False), Ticket.team_id.in_(folding))
                .group_by(Ticket.team_id)
                .order_by(func.count().desc())
            ).first()
    finally:
        engine.dispose()
    assert busiest is not None
    board.show_team(busiest)
    _settle(qtbot, opened, board)
    assert board.team_box.currentData() == busiest
    board.resize(1280, 720)
    QApplication.processEvents()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "kanban_fa.png"
    assert board.grab().save(str(path))
