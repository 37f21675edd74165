"""The supervisors' dashboard window (D7): headline figures, charts and tables over the local
cache for a range of Jalali days and optional team and agent filters.

Everything is computed by core.dashboard on the DB worker (each load tagged with a
generation; stale answers are dropped); the window only lays the answer out. Clicking a
figure, a bar or a workload row asks the main window to show the matching queue. It
refreshes when a sync brought changes, on a slow clock (overdue moves with time) and on
demand; supervisors and admins open it from the main window's Reports menu.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCharts import QBarSeries, QStackedBarSeries
from PySide6.QtCore import (
    QCalendar,
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
    Qt,
    QTimer,
    QTimeZone,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QFont, QImage, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from core.dashboard import (
    Dashboard,
    DashboardFilter,
    compute,
    queue_for_agent,
    queue_for_closed,
    queue_for_created,
    queue_for_open,
    queue_for_overdue,
    queue_for_priority,
    queue_for_stage,
    queue_for_unseen,
)
from core.enums import Role
from core.models import User
from core.queues import QueueQuery
from desktop.context import WindowContext
from desktop.views.dashboard_charts import BarSetSpec, DashboardChartView
from desktop.views.dashboard_export import (
    FigureKey,
    day_text,
    figures,
    priority_name,
    range_text,
    write_csv,
    write_pdf,
)

DEFAULT_DAYS = 30
LIVE_TICK_MS = 60_000
SUPERVISING_ROLES = (Role.SUPERVISOR, Role.ADMIN)
ANY = ""  # the combo data of "all teams" / "all agents"


class FigureTile(QFrame):
    """One headline figure; clickable when it stands for a queue."""

    clicked = Signal(str)
    """The supervisor clicked the tile of this figure key."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"figure_{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "FigureTile { background: palette(base); border: 1px solid palette(mid);"
            " border-radius: 6px; }"
        )
        self.title = QLabel()
        self.value = QLabel()
        self.detail = QLabel()
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.9)
        big.setBold(True)
        self.value.setFont(big)
        self.detail.setStyleSheet("color: palette(dark);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        self.clickable = False

    def set_clickable(self, clickable: bool) -> None:
        self.clickable = clickable
        self.setCursor(
            Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor
        )

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self.clickable and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.key)
        super().mouseReleaseEvent(event)


@dataclass(frozen=True)
class _StageKey:
    team_id: str | None
    stage_id: str | None


@dataclass(frozen=True)
class _DayKey:
    day: date
    closed: bool


def day_categories(dates: list[str]) -> list[str]:
    """The shortest labels for days written yyyy/MM/dd that are all different (Qt's
    category axis drops a repeated category, and its bars with it): the day of the month
    when no day number comes round again, else month/day, else the whole date."""
    for width in (2, 5):
        labels = [text[-width:] for text in dates]
        if len(set(labels)) == len(labels):
            return labels
    return list(dates)


def local_utc_offset() -> timedelta:
    """The local zone's offset from UTC now (Tehran: 3 h 30 min)."""
    now = QDateTime.currentDateTime()
    return timedelta(seconds=QTimeZone.systemTimeZone().offsetFromUtc(now))


class DashboardWindow(QMainWindow):
    """Figures, charts and tables for supervisors; right-to-left in Persian."""

    queue_requested = Signal(object)
    """Show this core.queues.QueueQuery in the main window."""
    refreshed = Signal()
    """A load finished and the window shows its figures."""

    def __init__(  # noqa: PLR0915 - one straight layout
        self,
        context: WindowContext,
        *,
        utc_offset: timedelta | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._fmt = context.localization.formatter
        self._offset = local_utc_offset() if utc_offset is None else utc_offset
        self._generation = 0
        self.dashboard: Dashboard | None = None
        self.export_message: QMessageBox | None = None  # the last export failure shown
        self.setObjectName("dashboardWindow")
        self.setWindowTitle(self.tr("Supervisors dashboard"))

        today = self._today()
        self.first_edit = self._date_edit("dashboardFrom", today - timedelta(days=DEFAULT_DAYS - 1))
        self.last_edit = self._date_edit("dashboardTo", today)
        self.team_combo = QComboBox()
        self.team_combo.setObjectName("dashboardTeam")
        self.team_combo.addItem(self.tr("All teams"), ANY)
        self.agent_combo = QComboBox()
        self.agent_combo.setObjectName("dashboardAgent")
        self.agent_combo.addItem(self.tr("All agents"), ANY)
        for combo in (self.team_combo, self.agent_combo):
            combo.setMinimumContentsLength(14)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.csv_button = QPushButton(self.tr("Export CSV…"))
        self.pdf_button = QPushButton(self.tr("Export PDF…"))
        self.status = QLabel()
        self.status.setObjectName("dashboardStatus")

        # every layout hangs on `body` before widgets go in, so PySide6 hands each widget to
        # its Qt parent; a widget added to a layout not yet on a widget stays owned by
        # Python as well, and is deleted twice when the window goes (a crash on exit)
        body = QWidget()
        column = QVBoxLayout(body)
        bar = QHBoxLayout()
        column.addLayout(bar)
        column.addWidget(self.status)
        bar.addWidget(QLabel(self.tr("From")))
        bar.addWidget(self.first_edit)
        bar.addWidget(QLabel(self.tr("To")))
        bar.addWidget(self.last_edit)
        for days, label in (
            (7, self.tr("7 days")),
            (30, self.tr("30 days")),
            (365, self.tr("A year")),
        ):
            preset = QPushButton(label)
            preset.setObjectName(f"dashboardPreset{days}")
            preset.clicked.connect(self._preset(days))
            bar.addWidget(preset)
        bar.addSpacing(12)
        bar.addWidget(QLabel(self.tr("Team")))
        bar.addWidget(self.team_combo)
        bar.addWidget(QLabel(self.tr("Agent")))
        bar.addWidget(self.agent_combo)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.csv_button)
        bar.addWidget(self.pdf_button)

        self.tiles: dict[str, FigureTile] = {}
        tiles = QGridLayout()
        column.addLayout(tiles)
        tiles.setSpacing(6)
        keys = [
            FigureKey.OPEN, FigureKey.NEW_TODAY, FigureKey.CLOSED_TODAY, FigureKey.OVERDUE,
            FigureKey.UNSEEN, FigureKey.CREATED, FigureKey.CLOSED, FigureKey.FIRST_RESPONSE,
            FigureKey.RESOLUTION, FigureKey.SATISFACTION, FigureKey.REOPEN,
        ]  # fmt: skip
        per_row = 6
        for i, key in enumerate(keys):
            tile = FigureTile(key)
            tile.clicked.connect(self._on_tile_clicked)
            self.tiles[key] = tile
            tiles.addWidget(tile, i // per_row, i % per_row)

        self.stage_chart = DashboardChartView("chartByStage")
        self.priority_chart = DashboardChartView("chartByPriority")
        self.day_chart = DashboardChartView("chartPerDay")
        self.workload_chart = DashboardChartView("chartWorkload")
        self.charts = [self.stage_chart, self.priority_chart, self.day_chart, self.workload_chart]
        for chart in self.charts:
            chart.bar_clicked.connect(self._on_bar_clicked)
        chart_grid = QGridLayout()
        column.addLayout(chart_grid, 1)
        chart_grid.addWidget(self.stage_chart, 0, 0)
        chart_grid.addWidget(self.priority_chart, 0, 1)
        chart_grid.addWidget(self.day_chart, 1, 0)
        chart_grid.addWidget(self.workload_chart, 1, 1)
        chart_grid.setColumnStretch(0, 3)
        chart_grid.setColumnStretch(1, 2)

        self.workload_table = self._table(
            "dashboardWorkload",
            [self.tr("Agent"), self.tr("Open"), self.tr("Total"), self.tr("On leave now")],
        )
        self.workload_table.cellClicked.connect(self._on_workload_row)
        self.leave_table = self._table(
            "dashboardLeaves", [self.tr("Agents on leave"), self.tr("From"), self.tr("To")]
        )
        tables = QHBoxLayout()
        column.addLayout(tables)
        tables.addWidget(self.workload_table, 3)
        tables.addWidget(self.leave_table, 2)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.setCentralWidget(scroll)

        self.first_edit.dateChanged.connect(self.refresh)
        self.last_edit.dateChanged.connect(self.refresh)
        self.team_combo.activated.connect(self.refresh)
        self.agent_combo.activated.connect(self.refresh)
        self.refresh_button.clicked.connect(self.refresh)
        self.csv_button.clicked.connect(self._ask_csv)
        self.pdf_button.clicked.connect(self._ask_pdf)
        if context.sync is not None:
            context.sync.synced.connect(self.refresh_after_sync)
        self._clock = QTimer(self)
        self._clock.setInterval(LIVE_TICK_MS)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        self.resize(1280, 900)
        self.refresh()

    # --- building ---------------------------------------------------------------------

    def _today(self) -> date:
        return (self._context.clock() + self._offset).date()

    def _date_edit(self, name: str, day: date) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setCalendar(QCalendar(self._fmt.calendar))
        edit.setLocale(self._fmt.locale)
        # QDateEdit reverses its sections under right-to-left (DESIGN.md): a date reads
        # year/month/day in Persian too, so the box is left-to-right before its format is set
        edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        edit.setDisplayFormat("yyyy/MM/dd")
        edit.setCalendarPopup(True)
        edit.setDate(QDate(day.year, day.month, day.day))
        return edit

    def _table(self, name: str, header: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(header))
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(header)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setMinimumHeight(160)
        return table

    def _preset(self, days: int) -> Callable[[], None]:
        def apply() -> None:
            self.set_range(self._today() - timedelta(days=days - 1), self._today())

        return apply

    # --- the filter and loading -------------------------------------------------------

    def set_range(self, first: date, last: date) -> None:
        """Show `first`..`last` (local days) and reload once."""
        for edit in (self.first_edit, self.last_edit):
            edit.blockSignals(True)
        self.first_edit.setDate(QDate(first.year, first.month, first.day))
        self.last_edit.setDate(QDate(last.year, last.month, last.day))
        for edit in (self.first_edit, self.last_edit):
            edit.blockSignals(False)
        self.refresh()

    def current_filter(self) -> DashboardFilter | None:
        """The filter the controls say, or None when the range is upside down."""
        first = self.first_edit.date().toPython()
        last = self.last_edit.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)
        if last < first:
            return None
        team = self.team_combo.currentData()
        agent = self.agent_combo.currentData()
        return DashboardFilter(
            first_day=first,
            last_day=last,
            now=self._context.clock(),
            utc_offset=self._offset,
            team_ids=(team,) if team else (),
            assignee_id=agent or None,
        )

    @Slot()
    def refresh(self) -> None:
        """Recompute on the DB worker; the answer replaces what is shown."""
        f = self.current_filter()
        if f is None:
            self.status.setText(self.tr("The range ends before it starts: pick the days again."))
            return
        self._generation += 1
        generation = self._generation
        self.status.setText(self.tr("Counting…"))

        def work(session: Session) -> Dashboard:
            return compute(session, f)

        def done(dashboard: Dashboard) -> None:
            if generation == self._generation:
                self._show(dashboard)

        self._context.runner.submit(work, done, on_error=self._failed)

    @Slot(bool)
    def refresh_after_sync(self, changed: bool = True) -> None:
        """A sync finished: recount when it changed the cache."""
        if changed:
            self.refresh()

    @Slot()
    def _tick(self) -> None:
        if self.isVisible():
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(
            self.tr("The figures could not be counted: %1").replace(
                "%1", str(exc) or type(exc).__name__
            )
        )

    # --- showing ----------------------------------------------------------------------

    def _show(self, d: Dashboard) -> None:
        self.dashboard = d
        fmt = self._fmt
        self._fill_combo(self.team_combo, d.teams)
        self._fill_combo(self.agent_combo, d.agents)
        self.status.setText(
            self.tr("%1 · counted from this computer's copy of the tickets").replace(
                "%1", range_text(d, fmt)
            )
        )
        clickable = {
            FigureKey.OPEN, FigureKey.NEW_TODAY, FigureKey.CLOSED_TODAY, FigureKey.OVERDUE,
            FigureKey.UNSEEN, FigureKey.CREATED, FigureKey.CLOSED,
        }  # fmt: skip
        for fig in figures(d, fmt):
            tile = self.tiles[fig.key]
            tile.title.setText(fig.label)
            tile.value.setText(fig.text)
            tile.detail.setText(fig.detail or " ")  # same height for every tile
            tile.setToolTip(fig.tooltip)
            tile.set_clickable(fig.key in clickable)
        self._show_charts(d)
        self._show_tables(d)
        self.refreshed.emit()

    def _fill_combo(self, combo: QComboBox, items: list[tuple[str, str]]) -> None:
        current = combo.currentData()
        have = [combo.itemData(i) for i in range(1, combo.count())]
        if have == [i for i, _ in items]:
            return
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for item_id, name in items:
            combo.addItem(name, item_id)
        index = combo.findData(current)
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _show_charts(self, d: Dashboard) -> None:
        locale = QLocale(self._fmt.locale)
        # by stage per team: one stacked bar per team, one colour per stage name
        teams: list[tuple[str | None, str]] = []
        for s in d.by_stage:
            entry = (s.team_id, s.team or self.tr("No team"))
            if entry not in teams:
                teams.append(entry)
        stage_names: list[str] = []
        for s in sorted(d.by_stage, key=lambda s: s.sequence):
            name = s.stage or self.tr("No stage")
            if name not in stage_names:
                stage_names.append(name)
        sets = []
        for name in stage_names:
            values, keys = [], []
            for team_id, _team in teams:
                match = [
                    s
                    for s in d.by_stage
                    if s.team_id == team_id and (s.stage or self.tr("No stage")) == name
                ]
                values.append(sum(s.count for s in match))
                keys.append(_StageKey(team_id, match[0].stage_id) if match else None)
            sets.append(BarSetSpec(name, values, keys))
        self.stage_chart.show_bars(
            title=self.tr("Open tickets by stage, per team"),
            categories=[t for _, t in teams],
            sets=sets,
            kind=QStackedBarSeries,
            locale=locale,
        )
        priorities = sorted(d.by_priority, reverse=True)
        self.priority_chart.show_bars(
            title=self.tr("Open tickets by priority"),
            categories=[priority_name(p) for p in priorities],
            sets=[
                BarSetSpec(
                    self.tr("Open tickets"), [d.by_priority[p] for p in priorities], priorities
                )
            ],
            locale=locale,
        )
        days = list(range(len(d.per_day)))
        day_labels = day_categories([day_text(d, self._fmt, i) for i in days])
        self.day_chart.show_bars(
            title=self.tr("Created and closed per day"),
            categories=day_labels,
            sets=[
                BarSetSpec(
                    self.tr("Created"),
                    [p.created for p in d.per_day],
                    [_DayKey(p.day, closed=False) for p in d.per_day],
                ),
                BarSetSpec(
                    self.tr("Closed"),
                    [p.closed for p in d.per_day],
                    [_DayKey(p.day, closed=True) for p in d.per_day],
                ),
            ],
            kind=QBarSeries,
            locale=locale,
            labels=len(d.per_day) <= 14,
            upright_labels=bool(day_labels) and len(day_labels[0]) > 2,  # month/day and longer
        )
        loads = d.workload[:10]  # the busiest ten
        self.workload_chart.show_bars(
            title=self.tr("Agent workload (open and total)"),
            categories=[
                a.name + (" " + self.tr("(on leave)") if a.on_leave else "") for a in loads
            ],
            sets=[
                BarSetSpec(self.tr("Open"), [a.open for a in loads], [a.user_id for a in loads]),
                # stacked on the open ones, so each bar is as long as the agent's total
                BarSetSpec(
                    self.tr("Closed or archived"),
                    [a.total - a.open for a in loads],
                    [a.user_id for a in loads],
                ),
            ],
            kind=QStackedBarSeries,
            locale=locale,
        )

    def _show_tables(self, d: Dashboard) -> None:
        n = self._fmt.number
        table = self.workload_table
        table.setRowCount(len(d.workload))
        for row, a in enumerate(d.workload):
            cells = [a.name, n(a.open), n(a.total), self.tr("Yes") if a.on_leave else ""]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, a.user_id)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                table.setItem(row, col, item)
        leaves = self.leave_table
        leaves.setRowCount(len(d.leaves))
        for row, x in enumerate(d.leaves):
            cells = [x.name, self._fmt.date(x.starts_at), self._fmt.date(x.ends_at)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if x.now:
                    bold = item.font()
                    bold.setBold(True)
                    item.setFont(bold)
                leaves.setItem(row, col, item)

    # --- drill-down -------------------------------------------------------------------

    def _open(self, query: QueueQuery) -> None:
        self.queue_requested.emit(query)

    @Slot(str)
    def _on_tile_clicked(self, key: str) -> None:
        d = self.dashboard
        if d is None:
            return
        f = d.filter
        queries = {
            FigureKey.OPEN: lambda: queue_for_open(f),
            FigureKey.NEW_TODAY: lambda: queue_for_created(f, f.today),
            FigureKey.CLOSED_TODAY: lambda: queue_for_closed(f, f.today),
            FigureKey.OVERDUE: lambda: queue_for_overdue(f),
            FigureKey.UNSEEN: lambda: queue_for_unseen(f),
            FigureKey.CREATED: lambda: queue_for_created(f),
            FigureKey.CLOSED: lambda: queue_for_closed(f),
        }
        make = queries.get(key)
        if make is not None:
            self._open(make())

    @Slot(object)
    def _on_bar_clicked(self, key: object) -> None:
        d = self.dashboard
        if d is None:
            return
        f = d.filter
        if isinstance(key, _StageKey):
            self._open(queue_for_stage(f, key.team_id, key.stage_id))
        elif isinstance(key, _DayKey):
            self._open(
                queue_for_closed(f, key.day) if key.closed else queue_for_created(f, key.day)
            )
        elif isinstance(key, int):
            self._open(queue_for_priority(f, key))
        elif isinstance(key, str):
            self._open(queue_for_agent(f, key))

    @Slot(int, int)
    def _on_workload_row(self, row: int, _column: int) -> None:
        d = self.dashboard
        item = self.workload_table.item(row, 0)
        if d is not None and item is not None:
            self._open(queue_for_agent(d.filter, str(item.data(Qt.ItemDataRole.UserRole))))

    # --- export -----------------------------------------------------------------------

    def chart_images(self) -> list[QImage]:
        return [chart.grab().toImage() for chart in self.charts]

    def export_csv(self, path: Path) -> bool:
        """Write the figures and tables as CSV; False (and a message) when it failed."""
        if self.dashboard is None:
            return False
        try:
            write_csv(path, self.dashboard, self._fmt)
        except OSError as exc:
            self._export_failed(path, exc)
            return False
        return True

    def export_pdf(self, path: Path) -> bool:
        """Write the PDF report; False (and a message) when it failed."""
        if self.dashboard is None:
            return False
        try:
            write_pdf(
                path,
                self.dashboard,
                self._fmt,
                self.chart_images(),
                rtl=self.layoutDirection() == Qt.LayoutDirection.RightToLeft,
            )
        except OSError as exc:
            self._export_failed(path, exc)
            return False
        return True

    def _export_failed(self, path: Path, exc: OSError) -> None:
        self.status.setText(
            self.tr("Could not write %1: %2")
            .replace("%1", str(path))
            .replace("%2", exc.strerror or str(exc))
        )
        # open(), not exec(): the window keeps running while the agent reads it
        box = QMessageBox(
            QMessageBox.Icon.Warning, self.windowTitle(), self.status.text(), parent=self
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.export_message = box
        box.open()

    @Slot()
    def _ask_csv(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export CSV"), "dashboard.csv", self.tr("CSV files (*.csv)")
        )
        if name:
            self.export_csv(Path(name))

    @Slot()
    def _ask_pdf(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export PDF"), "dashboard.pdf", self.tr("PDF files (*.pdf)")
        )
        if name:
            self.export_pdf(Path(name))


# --- the main window's entry ----------------------------------------------------------


def may_supervise(session: Session, user_id: str | None) -> bool:
    """Whether the signed-in user is a supervisor or an admin (the dashboard is theirs)."""
    if user_id is None:
        return False
    user = session.get(User, user_id)
    return user is not None and user.role in SUPERVISING_ROLES


class DashboardLauncher:
    """Adds Reports > Dashboard to the main window for supervisors and admins (looked up
    on the DB worker), and opens one dashboard whose clicks show queues in that window."""

    def __init__(self, window: QMainWindow, context: WindowContext) -> None:
        self._window = window
        self._context = context
        self.action: QAction | None = None
        self.dashboard: DashboardWindow | None = None
        user_id = context.user_id
        context.runner.submit(lambda s: may_supervise(s, user_id), self._install)

    def _install(self, allowed: bool) -> None:
        if not allowed:
            return
        menu = self._window.menuBar().addMenu(
            QCoreApplication.translate("DashboardLauncher", "&Reports")
        )
        action = QAction(
            QCoreApplication.translate("DashboardLauncher", "&Dashboard"), self._window
        )
        action.setObjectName("actionDashboard")
        action.setShortcut(QKeySequence("Ctrl+Shift+D"))
        action.triggered.connect(self.open)
        menu.addAction(action)
        self.action = action

    def open(self) -> DashboardWindow:
        if self.dashboard is None:
            self.dashboard = DashboardWindow(self._context, parent=self._window)
            self.dashboard.setWindowFlag(Qt.WindowType.Window, True)
            target = self._window
            if hasattr(target, "show_query"):
                self.dashboard.queue_requested.connect(target.show_query)
        else:
            self.dashboard.refresh()
        self.dashboard.show()
        self.dashboard.activateWindow()
        return self.dashboard
