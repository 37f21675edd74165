"""The kanban board (O1): a team's stages as columns of ticket cards.

How it shares the queue's machinery: every column is a `QListView` over a
`KanbanColumnModel`, which is a `QueueTableModel` (the queue table's model) showing the
queue `core.kanban.column_query(team, stage)`, a `QueueQuery` of one team and one stage.
The list shows the model's title column through a card delegate (kanban_cards.py) that
reads the other columns' texts. Loading a page at a time, the SQL sort, "pending"
numbers, Jalali SLA times, overdue colours and `reload()` after an edit or a sync are
the queue's own; the board adds columns, drag and drop, and folding.

Columns run in pipeline order along the layout direction, so right to left in Persian.
Drag a card to another column, or select it and press Ctrl+Left / Ctrl+Right (the arrow
points where the card goes on screen), to move the ticket to that stage: a local edit
(core.local_edits.set_stage_locally) on the DB worker, synced later; a move the server
refuses comes back in the conflicts list. Folded stages (closed ones, as the team set
them) show as a narrow strip with their count; a click unfolds them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QModelIndex, QRect, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QColor, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from core.kanban import BoardStage, BoardTeam, board_teams
from core.local_edits import BulkResult
from desktop.context import WindowContext
from desktop.models.kanban_model import KanbanBoard, KanbanColumnModel
from desktop.models.queue_model import Column
from desktop.views.kanban_cards import CARD_WIDTH, CardDelegate

COLUMN_WIDTH = CARD_WIDTH + 24
FOLDED_WIDTH = 40


class CardList(QListView):
    """A column's cards; Ctrl+Left / Ctrl+Right asks to move the selected ones."""

    step_requested = Signal(int)
    """Move the selected cards this many stages along the pipeline (+1 next, -1 back)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setUniformItemSizes(True)  # every card is as tall: no measuring of all rows
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setItemDelegate(CardDelegate(self))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.viewport().setAutoFillBackground(False)  # the column's tint shows between cards

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier and key in (
            Qt.Key.Key_Left,
            Qt.Key.Key_Right,
        ):
            # on screen the pipeline runs along the layout direction: mirrored under RTL
            forward = Qt.Key.Key_Left if self.isRightToLeft() else Qt.Key.Key_Right
            self.step_requested.emit(1 if key == forward else -1)
            event.accept()
            return
        super().keyPressEvent(event)

    def selected_ids(self) -> list[str]:
        model = self.model()
        assert isinstance(model, KanbanColumnModel)
        rows = sorted({i.row() for i in self.selectionModel().selectedIndexes()})
        return [model.ticket_id(r) for r in rows]


class FoldedStrip(QAbstractButton):
    """A folded stage: a narrow strip with its name and count written along it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFixedWidth(FOLDED_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)

    @override
    def sizeHint(self) -> QSize:
        return QSize(FOLDED_WIDTH, 200)

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor("#c9d1d9"))
        painter.setBrush(QColor("#e9edf1") if not self.underMouse() else QColor("#dde3ea"))
        painter.drawRoundedRect(self.rect().adjusted(1, 1, -1, -1), 6, 6)
        painter.setPen(QColor("#24292f"))
        painter.translate(self.width() / 2, 12)
        painter.rotate(90)
        length = self.height() - 24
        painter.drawText(
            QRect(0, -self.width() // 2, length, self.width()),
            # from the top down in either direction (the painter mirrors plain AlignLeft)
            Qt.AlignmentFlag.AlignAbsolute
            | Qt.AlignmentFlag.AlignLeft
            | Qt.AlignmentFlag.AlignVCenter,
            self.text(),
        )
        painter.end()


class StageColumn(QFrame):
    """One stage: a header (name and count; a click folds it) over its cards, or a folded
    strip."""

    def __init__(
        self, stage: BoardStage, model: KanbanColumnModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.stage = stage
        self.model = model
        self.setObjectName(f"stage-{stage.id}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "StageColumn { background: #f3f5f8; border: 1px solid #d8dee4; border-radius: 8px; }"
        )
        self.header = QToolButton()
        self.header.setObjectName("stageHeader")
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.header.setAutoRaise(True)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.header.setToolTip(
            QCoreApplication.translate("KanbanWindow", "Click to fold this stage")
        )
        self.cards = CardList()
        self.cards.setModel(model)
        self.cards.setModelColumn(Column.TITLE)
        self.strip = FoldedStrip()
        self.strip.setToolTip(
            QCoreApplication.translate("KanbanWindow", "Folded stage: click to unfold")
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.header)
        layout.addWidget(self.cards, 1)
        layout.addWidget(self.strip, 1)
        self.header.clicked.connect(lambda: self.set_folded(True))
        self.strip.clicked.connect(lambda: self.set_folded(False))
        self.set_folded(stage.folded)

    @property
    def folded(self) -> bool:
        return self.strip.isVisibleTo(self)

    def set_folded(self, folded: bool) -> None:
        self.header.setVisible(not folded)
        self.cards.setVisible(not folded)
        self.strip.setVisible(folded)
        self.setFixedWidth(FOLDED_WIDTH + 10 if folded else COLUMN_WIDTH)

    def set_count(self, number: str) -> None:
        label = f"{self.stage.name}  ({number})"
        self.header.setText(label)
        self.strip.setText(label)
        self.strip.setAccessibleName(label)


class KanbanWindow(QMainWindow):
    """A team chooser over the board of the chosen team."""

    def __init__(
        self,
        context: WindowContext,
        teams: list[BoardTeam],
        *,
        open_ticket: Callable[[str], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setObjectName("kanbanWindow")
        self.setWindowTitle(QCoreApplication.translate("KanbanWindow", "Board"))
        self._context = context
        self._open_ticket = open_ticket
        self.board = KanbanBoard(
            runner=context.runner,
            formatter=context.localization.formatter,
            clock=context.clock,
            on_local_edit=context.local_edit_done,
            parent=self,
        )
        self.columns: dict[str, StageColumn] = {}
        self._follow: tuple[str, str] | None = None  # (ticket, stage) a key press moved

        self.team_box = QComboBox()
        self.team_box.setObjectName("teamChooser")
        self.team_box.setMinimumContentsLength(18)
        self.set_teams(teams)
        toolbar = QToolBar(QCoreApplication.translate("KanbanWindow", "Board"))
        toolbar.setObjectName("kanbanToolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(QLabel(QCoreApplication.translate("KanbanWindow", "Team:") + " "))
        toolbar.addWidget(self.team_box)
        refresh = QAction(QCoreApplication.translate("KanbanWindow", "Refresh"), self)
        refresh.setObjectName("kanbanRefresh")
        refresh.setShortcut("F5")
        refresh.triggered.connect(self.refresh)
        toolbar.addAction(refresh)
        self.addToolBar(toolbar)

        self._strip = QWidget()
        self._row = QHBoxLayout(self._strip)
        self._row.setContentsMargins(8, 8, 8, 8)
        self._row.setSpacing(8)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._strip)
        self.setCentralWidget(scroll)

        self.board.columns_changed.connect(self._build_columns)
        self.board.counts_changed.connect(self._show_counts)
        self.board.moved.connect(self._moved)
        self.board.move_failed.connect(self._move_failed)
        self.team_box.currentIndexChanged.connect(self._team_chosen)
        self.resize(1200, 720)
        if self.team_box.count():
            self._team_chosen(self.team_box.currentIndex())

    def set_teams(self, teams: list[BoardTeam]) -> None:
        box = self.team_box
        box.blockSignals(True)
        box.clear()
        for i, team in enumerate(teams):
            if i and not team.mine and teams[i - 1].mine:
                box.insertSeparator(box.count())
            box.addItem(team.name, team.id)
        box.blockSignals(False)

    def show_team(self, team_id: str) -> None:
        i = self.team_box.findData(team_id)
        if i >= 0 and i != self.team_box.currentIndex():
            self.team_box.setCurrentIndex(i)  # builds the board through the signal
        elif self.board.team_id != team_id:
            self.board.show_team(team_id)

    @Slot()
    def refresh(self) -> None:
        """After a sync or an edit elsewhere: reload every column and the counts."""
        self.board.reload()

    @Slot(bool)
    def refresh_after_sync(self, changed: bool = True) -> None:
        if changed:
            self.refresh()

    # --- slots ------------------------------------------------------------------------

    @Slot(int)
    def _team_chosen(self, index: int) -> None:
        team_id = self.team_box.itemData(index)
        if isinstance(team_id, str):
            self.board.show_team(team_id)
            self.setWindowTitle(
                QCoreApplication.translate("KanbanWindow", "Board: %1").replace(
                    "%1", self.team_box.itemText(index)
                )
            )

    @Slot()
    def _build_columns(self) -> None:
        while self._row.count():
            item = self._row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.columns = {}
        for stage in self.board.stages:
            column = StageColumn(stage, self.board.columns[stage.id])
            column.cards.step_requested.connect(lambda step, c=column: self._step(c, step))
            column.cards.activated.connect(self._activated)
            column.set_count(self._context.localization.formatter.number(0))
            self.columns[stage.id] = column
            self._row.addWidget(column)
        self._row.addStretch(1)

    @Slot(dict)
    def _show_counts(self, counts: dict[str, int]) -> None:
        number = self._context.localization.formatter.number
        for stage_id, column in self.columns.items():
            column.set_count(number(counts.get(stage_id, 0)))

    def _step(self, column: StageColumn, step: int) -> None:
        ids = column.cards.selected_ids()
        target = self.board.neighbour(column.stage.id, step)
        if not ids or target is None:
            return
        if self.board.move(ids, target.id):
            self._follow = (ids[0], target.id)

    @Slot(object)
    def _moved(self, result: BulkResult) -> None:
        formatter = self._context.localization.formatter
        self.statusBar().showMessage(
            QCoreApplication.translate("KanbanWindow", "Moved %1 tickets").replace(
                "%1", formatter.number(len(result.changed))
            ),
            6000,
        )
        if result.failed:
            from desktop.actions import error_text

            QMessageBox.warning(
                self,
                QCoreApplication.translate("KanbanWindow", "Not moved"),
                "\n".join(error_text(exc) for exc in list(result.failed.values())[:10]),
            )
        follow, self._follow = self._follow, None
        if follow is not None:  # a key press moved it: keep it selected in its new column
            ticket_id, stage_id = follow
            column = self.columns.get(stage_id)
            if column is not None and not column.folded:
                model = column.model
                for row in range(model.rowCount()):
                    if model.ticket_id(row) == ticket_id:
                        column.cards.setCurrentIndex(model.index(row, Column.TITLE))
                        column.cards.setFocus(Qt.FocusReason.OtherFocusReason)
                        break

    @Slot(str)
    def _move_failed(self, message: str) -> None:
        QMessageBox.warning(
            self,
            QCoreApplication.translate("KanbanWindow", "Could not save"),
            QCoreApplication.translate(
                "KanbanWindow", "The move could not be saved in the local cache:\n%1"
            ).replace("%1", message),
        )

    @Slot(QModelIndex)
    def _activated(self, index: QModelIndex) -> None:
        model = index.model()
        if self._open_ticket is not None and isinstance(model, KanbanColumnModel):
            self._open_ticket(model.ticket_id(index.row()))


class BoardLauncher:
    """Adds the Board menu to the main window: one entry per team (the agent's teams
    first), each opening the one board window on that team; the board reloads after a
    sync and a move on it refreshes the main window's queue."""

    def __init__(self, window: QMainWindow, context: WindowContext) -> None:
        self._window = window
        self._context = context
        self.teams: list[BoardTeam] = []
        self.board: KanbanWindow | None = None
        self.menu = window.menuBar().addMenu(QCoreApplication.translate("KanbanWindow", "&Board"))
        self.menu.setObjectName("boardMenu")
        user_id = context.user_id
        context.runner.submit(lambda s: board_teams(s, user_id), self._install)
        if context.sync is not None:
            context.sync.synced.connect(self._synced)

    def _install(self, teams: list[BoardTeam]) -> None:
        self.teams = teams
        self.menu.clear()
        for i, team in enumerate(teams):
            if i and not team.mine and teams[i - 1].mine:
                self.menu.addSeparator()
            action = QAction(team.name, self._window)
            action.setObjectName(f"board-{team.id}")
            action.triggered.connect(lambda _=False, t=team.id: self.open(t))
            self.menu.addAction(action)
        if teams:
            self.menu.actions()[0].setShortcut("Ctrl+Shift+B")

    def open(self, team_id: str | None = None) -> KanbanWindow:
        if self.board is None:
            self.board = KanbanWindow(
                self._context,
                self.teams,
                open_ticket=getattr(self._window, "open_ticket", None),
                parent=self._window,
            )
            refresh = getattr(self._window, "refresh_after_sync", None)
            if callable(refresh):
                self.board.board.moved.connect(lambda _result: refresh(True))
        if team_id is not None:
            self.board.show_team(team_id)
        self.board.show()
        self.board.raise_()
        self.board.activateWindow()
        return self.board

    def _synced(self, changed: bool) -> None:
        if self.board is not None and self.board.isVisible():
            self.board.refresh_after_sync(changed)
