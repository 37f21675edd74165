"""The agent's main window: queues in a sidebar, a search box and the queue table."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from core.queues import QueueKind, QueueQuery, count
from desktop.actions import TicketActions
from desktop.context import WindowContext
from desktop.models.queue_model import SORT_KEYS, Column, QueueTableModel
from desktop.shortcuts import add_persian_twins
from desktop.views.account_actions import AccountMenu
from desktop.views.dashboard import DashboardLauncher
from desktop.views.kanban import BoardLauncher
from desktop.views.queue_sidebar import QueueSidebarView
from desktop.views.settings_window import SettingsLauncher
from desktop.views.ticket_form import new_ticket_action
from desktop.views.ticket_view import TicketView, TicketWindows

SEARCH_DELAY_MS = 250
CLOCK_TICK_MS = 60_000
HELD_LOOKUP_LIMIT = 5_000
"""Selections up to this many tickets have their new rows found by the worker after a sync;
a bigger one (shift-click over a huge queue) is followed row by row near where it was."""

COLUMN_WIDTHS: dict[Column, int] = {
    Column.UNSYNCED: 22,
    Column.NUMBER: 52,
    Column.TITLE: 190,
    Column.CUSTOMER: 105,
    Column.STAGE: 80,
    Column.PRIORITY: 52,
    Column.SEVERITY: 52,
    Column.IMPACT: 62,
    Column.TEAM: 95,
    Column.ASSIGNEE: 90,
    Column.SLA_DUE: 78,
    Column.UPDATED: 78,
    Column.STAFF_STATE: 90,
    Column.CUSTOMER_STATE: 55,
}
"""Starting widths that fit every column beside the sidebar at 1280 px; the agent may
resize them."""


class MainWindow(QMainWindow):
    """Sidebar of queues, search box, queue table and a status bar; right-to-left in
    Persian because the application's layout direction says so."""

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:  # noqa: PLR0915 - the window is wired in one place
        super().__init__(parent)
        self._context = context
        formatter = context.localization.formatter
        self.setWindowTitle(self.tr("Helpdesk"))
        self.setObjectName("mainWindow")

        self.sidebar = QueueSidebarView(formatter)
        self.sidebar.setMinimumWidth(130)

        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setPlaceholderText(self.tr("Search tickets (Ctrl+F)"))

        self.model = QueueTableModel(
            runner=context.runner, formatter=formatter, clock=context.clock, parent=self
        )
        self.table = QTableView()
        self.table.setObjectName("queueTable")
        self.table.setModel(self.model)
        self._setup_table()

        right = QWidget()
        layout = QVBoxLayout(right)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_box)
        layout.addWidget(self.table)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.sidebar)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([150, 1130])
        self.setCentralWidget(splitter)

        self.count_label = QLabel()
        self.user_label = QLabel(self.tr("Signed in as %1").replace("%1", context.user_name))
        self.statusBar().addWidget(self.count_label, 1)
        self.statusBar().addPermanentWidget(self.user_label)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_search)
        self.search_box.textChanged.connect(self._search_timer.start)
        self.search_box.returnPressed.connect(self.apply_search)
        self._find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        self._find.activated.connect(self.focus_search)

        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_TICK_MS)
        self._clock.timeout.connect(self.model.refresh_times)
        self._clock.start()

        self.model.row_count_changed.connect(self._show_count)
        # rows moved by a reload in place (after a sync): the top row stays where it was
        self._top_row: QPersistentModelIndex | None = None
        self.model.layoutAboutToBeChanged.connect(self._hold_top_row)
        self.model.layoutChanged.connect(self._keep_top_row)
        # one window per open ticket, each with this queue's next / previous (E4)
        self.ticket_windows = TicketWindows(context, self, queue=self.model)
        self.ticket_windows.ticket_changed.connect(self.ticket_saved)
        self.table.activated.connect(self._open_row)  # double-click or Enter
        self.sidebar.queue_selected.connect(self._on_queue_selected)
        self.sidebar.select(QueueKind.MINE if context.user_id else QueueKind.ALL_OPEN)
        self.refresh_counts()
        self.ticket_actions = TicketActions(context, self)  # toolbar, context menu, keys
        self.account_menu = AccountMenu(self, context)  # Account > Sign in again…, Sign out (D6)
        self.dashboards = DashboardLauncher(self, context)  # Reports > Dashboard (D7)
        self.boards = BoardLauncher(self, context)  # Board > a team: its kanban (O1)
        self.settings = SettingsLauncher(self, context)  # Tools > Settings (O2-O5, E1, E2, S8)
        self.new_ticket = new_ticket_action(  # Ctrl+N and the toolbar: the ticket form (P1)
            context, self, toolbar=self.ticket_actions.toolbar, on_saved=self.ticket_saved
        )
        add_persian_twins(self)  # letter shortcuts of the menus also under the Persian layout

    def _setup_table(self) -> None:
        table = self.table
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        # middle elision keeps both ends of emails and codes legible in either direction
        table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(26)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)  # QTBUG-97571: say it explicitly
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(20)
        for column, width in COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        header.setSortIndicator(Column.PRIORITY, Qt.SortOrder.DescendingOrder)
        table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._keep_indicator_on_sortable)

    # --- actions ----------------------------------------------------------------------

    @Slot()
    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    @Slot()
    def apply_search(self) -> None:
        """Run the typed search now (the box also runs it after a short pause)."""
        self._search_timer.stop()
        self.model.set_search_text(self.search_box.text().strip())

    def show_queue(self, kind: QueueKind) -> None:
        query = self.model.query
        self.model.set_query(
            replace(
                query,
                kind=kind,
                user_id=self._context.user_id,
                text=self.search_box.text().strip(),
            )
        )

    @Slot(object)
    def show_query(self, query: QueueQuery) -> None:
        """Show any queue (a dashboard bar or row): the sidebar lets go of its choice."""
        self.sidebar.setCurrentRow(-1)
        self.model.set_query(query)
        self.raise_()
        self.activateWindow()

    @Slot()
    def refresh_counts(self) -> None:
        """Recount every queue on the DB worker and show the counts in the sidebar."""
        user_id = self._context.user_id

        def work(session: Session) -> dict[QueueKind, int]:
            return {
                kind: count(session, QueueQuery(kind=kind, user_id=user_id)) for kind in QueueKind
            }

        self._context.runner.submit(work, self.sidebar.set_counts)

    @Slot(bool)
    def refresh_after_sync(self, changed: bool = True) -> None:
        """A sync sent or brought changes: reload the queue in place and the sidebar counts.
        The selected tickets stay selected and the current one current (by ticket id, not
        row), the rows in view stay in view; tickets that left the queue drop out."""
        if changed:
            self.model.reload_in_place(self._held_ids())
            self.refresh_counts()

    def _held_ids(self) -> list[str]:
        """The selected tickets and the one at the top of the view (one slice of ids per
        selected range): the worker finds their new rows after a sync. The current one is
        a persistent index, which the model holds on to by itself."""
        selection = self.table.selectionModel()
        ids: list[str] = []
        blocks = selection.selection()
        for block in (blocks.at(i) for i in range(blocks.count())):
            if len(ids) + block.height() > HELD_LOOKUP_LIMIT:
                break
            ids += self.model.ticket_ids_between(block.top(), block.bottom())
        top = self.table.rowAt(0)
        if top >= 0:
            ids.append(self.model.ticket_id(top))  # the scroll position's anchor
        return ids

    def _hold_top_row(self) -> None:
        """Before the rows move: hold the ticket at the top of the view when scrolled (at
        the very top, new tickets above come into view instead)."""
        row = self.table.rowAt(0)
        scrolled = self.table.verticalScrollBar().value() > 0
        self._top_row = QPersistentModelIndex(self.model.index(row, 0)) if scrolled else None

    def _keep_top_row(self) -> None:
        """After the rows moved: scroll so that the held ticket is at the top again."""
        top, self._top_row = self._top_row, None
        if top is None or not top.isValid():
            return  # not scrolled, or that ticket left the queue: the scroll bar stays
        table = self.table
        across = table.horizontalScrollBar().value()
        table.doItemsLayout()  # the scroll range of the grown list, now
        table.scrollTo(top.sibling(top.row(), 0), table.ScrollHint.PositionAtTop)
        table.horizontalScrollBar().setValue(across)  # only the vertical position moves

    @Slot(str)
    def ticket_saved(self, _ticket_id: str) -> None:
        """A ticket was made or edited here: show it in the queue and the counts."""
        self.refresh_after_sync(True)

    def open_ticket(self, ticket_id: str) -> TicketView:
        """Show the ticket in its own window (raised if already open)."""
        return self.ticket_windows.open(ticket_id)

    # --- slots ------------------------------------------------------------------------

    @Slot(QModelIndex)
    def _open_row(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_ticket(self.model.ticket_id(index.row()))

    @Slot(str)
    def _on_queue_selected(self, kind: str) -> None:
        self.show_queue(QueueKind(kind))

    @Slot(int)
    def _show_count(self, rows: int) -> None:
        number = self._context.localization.formatter.number(rows)
        self.count_label.setText(self.tr("%1 tickets").replace("%1", number))

    @Slot(int, Qt.SortOrder)
    def _keep_indicator_on_sortable(self, section: int, _order: Qt.SortOrder) -> None:
        if 0 <= section < len(Column) and Column(section) in SORT_KEYS:
            return
        header = self.table.horizontalHeader()
        query = self.model.query
        order = Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder
        header.blockSignals(True)
        header.setSortIndicator(self.model.sort_column(), order)
        header.blockSignals(False)
