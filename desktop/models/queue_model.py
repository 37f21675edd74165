"""The queue table (D2, C3, I3): ordered ticket ids from SQL plus a small cache of loaded
rows, so a queue over 1,000,000 cached tickets paints its first screen at once.

Sorting and search run in SQL (core.queues), never in Python or a proxy model. The first
screen of ids and rows is fetched on the GUI thread (one short index walk) so the first
paint is fast; the rest of the id list comes from the DB worker, tagged with the load's
generation number, and a list that comes back for an older query is dropped. The worker
is asked only a moment later (REST_DELAY_MS), and the previous queue's id list (up to
1,000,000 strings, ~30 ms to free) is let go then too, so neither holds up the first paint.

After a sync, `reload_in_place()` reads the same query again without a reset: the rows on
screen stay until the new id list is in, then the rows move by ticket id (a layout change),
so the view's selection, current index and scroll position follow their tickets, and a
ticket that left the queue drops out. The new rows of the tickets the view holds on to are
found by the worker with the list; the GUI thread never walks the whole list in Python.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from enum import IntEnum
from functools import cache
from itertools import compress, count
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from sqlalchemy.orm import Session, sessionmaker
from typing_extensions import override

from core.enums import CustomerState, Impact, Priority, Severity, StaffState, Status
from core.ids import utcnow
from core.queues import QueueQuery, QueueRow, SortKey, ticket_ids
from core.queues import load_rows as load_queue_rows
from desktop.formatting import Formatter
from desktop.runner import DbRunner
from desktop.translate import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

_CTX = "QueueTableModel"
PAGE_SIZE = 200
FIRST_PAGE = 60
"""Ids and rows read on the GUI thread when a queue is shown: a screenful (a 1080-pixel
window shows ~35 rows of 26 px) with room to spare; the rest comes from the worker."""
REST_DELAY_MS = 30
"""How long after the first screen the worker is asked for the rest of the ids. The view
paints on a later turn of the event loop (a low-priority update request, or the next frame
on platforms that pace updates), not at once; fetching 1,000,000 ids holds the GIL in
stretches and would slow that paint ~2x, so the fetch starts after it. A 0 ms timer could
run before the paint."""
NEAR_ROWS = 256
"""How far from its old row a held ticket is first looked for in a new id list (a sync
moves few tickets, and most by a few rows); C-level `list.index` over a bounded slice."""

# custom roles, named so views and tests never use bare numbers
TicketIdRole = Qt.ItemDataRole.UserRole + 1
"""The ticket's id (str)."""
QueueRowRole = Qt.ItemDataRole.UserRole + 2
"""The whole `QueueRow` of the line."""
OverdueRole = Qt.ItemDataRole.UserRole + 3
"""Whether the ticket's SLA due time has passed while it is open (E1)."""


class Column(IntEnum):
    """The queue's columns in logical order (the view mirrors them under right-to-left)."""

    UNSYNCED = 0
    NUMBER = 1
    TITLE = 2
    CUSTOMER = 3
    STAGE = 4
    PRIORITY = 5
    SEVERITY = 6
    IMPACT = 7
    TEAM = 8
    ASSIGNEE = 9
    SLA_DUE = 10
    UPDATED = 11
    STAFF_STATE = 12
    CUSTOMER_STATE = 13


HEADERS: dict[Column, str] = {
    Column.UNSYNCED: QT_TRANSLATE_NOOP("QueueTableModel", "Sync"),
    Column.NUMBER: QT_TRANSLATE_NOOP("QueueTableModel", "Number"),
    Column.TITLE: QT_TRANSLATE_NOOP("QueueTableModel", "Title"),
    Column.CUSTOMER: QT_TRANSLATE_NOOP("QueueTableModel", "Customer"),
    Column.STAGE: QT_TRANSLATE_NOOP("QueueTableModel", "Stage"),
    Column.PRIORITY: QT_TRANSLATE_NOOP("QueueTableModel", "Priority"),
    Column.SEVERITY: QT_TRANSLATE_NOOP("QueueTableModel", "Severity"),
    Column.IMPACT: QT_TRANSLATE_NOOP("QueueTableModel", "Impact"),
    Column.TEAM: QT_TRANSLATE_NOOP("QueueTableModel", "Team"),
    Column.ASSIGNEE: QT_TRANSLATE_NOOP("QueueTableModel", "Assignee"),
    Column.SLA_DUE: QT_TRANSLATE_NOOP("QueueTableModel", "SLA due"),
    Column.UPDATED: QT_TRANSLATE_NOOP("QueueTableModel", "Updated"),
    Column.STAFF_STATE: QT_TRANSLATE_NOOP("QueueTableModel", "Staff"),
    Column.CUSTOMER_STATE: QT_TRANSLATE_NOOP("QueueTableModel", "Customer read"),
}

SORT_KEYS: dict[Column, SortKey] = {
    Column.NUMBER: SortKey.NUMBER,
    Column.TITLE: SortKey.TITLE,
    Column.STAGE: SortKey.STATUS,
    Column.PRIORITY: SortKey.PRIORITY,
    Column.SEVERITY: SortKey.SEVERITY,
    Column.IMPACT: SortKey.IMPACT,
    Column.SLA_DUE: SortKey.SLA_DUE,
    Column.UPDATED: SortKey.UPDATED,
}
"""Columns a header click sorts by; the others have no index to sort on and stay put."""

STATUS_LABELS: dict[str, str] = {
    Status.NEW: QT_TRANSLATE_NOOP("QueueTableModel", "New"),
    Status.IN_PROGRESS: QT_TRANSLATE_NOOP("QueueTableModel", "In progress"),
    Status.CLOSED: QT_TRANSLATE_NOOP("QueueTableModel", "Closed"),
}
PRIORITY_LABELS: dict[int, str] = {
    Priority.LOW: QT_TRANSLATE_NOOP("QueueTableModel", "Low"),
    Priority.NORMAL: QT_TRANSLATE_NOOP("QueueTableModel", "Normal"),
    Priority.HIGH: QT_TRANSLATE_NOOP("QueueTableModel", "High"),
}
SEVERITY_LABELS: dict[int, str] = {
    Severity.LOW: QT_TRANSLATE_NOOP("QueueTableModel", "Low"),
    Severity.MEDIUM: QT_TRANSLATE_NOOP("QueueTableModel", "Medium"),
    Severity.CRITICAL: QT_TRANSLATE_NOOP("QueueTableModel", "Critical"),
}
IMPACT_LABELS: dict[int, str] = {
    Impact.MINOR: QT_TRANSLATE_NOOP("QueueTableModel", "Minor"),
    Impact.SERIOUS: QT_TRANSLATE_NOOP("QueueTableModel", "Serious"),
    Impact.CATASTROPHIC: QT_TRANSLATE_NOOP("QueueTableModel", "Catastrophic"),
}
STAFF_LABELS: dict[str, str] = {
    StaffState.UNREAD: QT_TRANSLATE_NOOP("QueueTableModel", "Unread"),
    StaffState.UNDER_REVIEW: QT_TRANSLATE_NOOP("QueueTableModel", "Seen, under review"),
    StaffState.ANSWERED_FOLLOWING_UP: QT_TRANSLATE_NOOP(
        "QueueTableModel", "Answered, following up"
    ),
    StaffState.ANSWERED: QT_TRANSLATE_NOOP("QueueTableModel", "Answered"),
}
STAFF_TOOLTIPS: dict[str, str] = {
    StaffState.UNREAD: QT_TRANSLATE_NOOP("QueueTableModel", "Staff: unread"),
    StaffState.UNDER_REVIEW: QT_TRANSLATE_NOOP("QueueTableModel", "Staff: seen, under review"),
    StaffState.ANSWERED_FOLLOWING_UP: QT_TRANSLATE_NOOP(
        "QueueTableModel", "Staff: answered, following up"
    ),
    StaffState.ANSWERED: QT_TRANSLATE_NOOP("QueueTableModel", "Staff: answered"),
}
"""The full I6 wording, for the tooltip; the cell shows the short label."""
CUSTOMER_LABELS: dict[str, str] = {
    CustomerState.UNREAD: QT_TRANSLATE_NOOP("QueueTableModel", "Not read"),
    CustomerState.READ: QT_TRANSLATE_NOOP("QueueTableModel", "Read"),
}

# (background, foreground) of the priority cell; light tints keep the text readable
PRIORITY_COLOURS: dict[int, tuple[str, str]] = {
    Priority.HIGH: ("#fde0dc", "#a4161a"),
    Priority.NORMAL: ("#fff3cd", "#7a5900"),
    Priority.LOW: ("#e6f4ea", "#1e6b34"),
}
OVERDUE_COLOUR = "#c62828"

_CENTRED = {
    Column.UNSYNCED,
    Column.NUMBER,
    Column.PRIORITY,
    Column.SEVERITY,
    Column.IMPACT,
}


_COLUMNS: tuple[Column, ...] = tuple(Column)
_SERVED_ROLES: frozenset[int] = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
        TicketIdRole,
        QueueRowRole,
        OverdueRole,
    )
)
"""Roles `data()` answers; the delegate asks ~12 roles a cell, and the rest return at once."""
_ALIGNMENTS: dict[Column, Qt.AlignmentFlag] = {
    column: (Qt.AlignmentFlag.AlignHCenter if column in _CENTRED else Qt.AlignmentFlag.AlignLeading)
    | Qt.AlignmentFlag.AlignVCenter
    for column in Column
}


_PARENTS, _HINT = "QList<QPersistentModelIndex>", "QAbstractItemModel::LayoutChangeHint"
"""The layout signals' full signature: a bare `emit([], hint)` picks the no-argument one."""

_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)


@cache
def _brush(colour: str) -> QBrush:
    """One brush a colour, made once (a painted screen asks for hundreds)."""
    return QBrush(QColor(colour))


@cache
def _bold_font() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def _ids_and_rows_of(
    session: Session, query: QueueQuery, wanted: frozenset[str]
) -> tuple[list[str], dict[str, int | None]]:
    """On the DB worker: the query's ordered ids, and the row of each `wanted` id in them
    (None: not in the queue any more). The scan for the wanted ids runs in C
    (compress/map), its Python body only for the ids found."""
    ids = ticket_ids(session, query)
    rows: dict[str, int | None] = dict.fromkeys(wanted)
    if wanted:
        for row in compress(count(), map(wanted.__contains__, ids)):
            rows[ids[row]] = row
    return ids, rows


def _rows_in(
    ids: list[str], old_rows: dict[str, int], found: dict[str, int | None]
) -> dict[str, int | None]:
    """The row in `ids` of each ticket of `old_rows` (ticket id -> its row before): as
    the worker `found` it, else near its old row (C-level `list.index` over a bounded
    slice), else, for the few held only since the worker was asked and moved far or
    gone, one C-level pass over the list for all of them; None: not in the queue."""
    rows: dict[str, int | None] = {}
    far: set[str] = set()
    for ticket_id, old in old_rows.items():
        if ticket_id in found:
            rows[ticket_id] = found[ticket_id]
            continue
        try:
            rows[ticket_id] = ids.index(ticket_id, max(0, old - NEAR_ROWS), old + NEAR_ROWS)
        except ValueError:
            far.add(ticket_id)
            rows[ticket_id] = None
    if far:
        for row in compress(count(), map(far.__contains__, ids)):
            rows[ids[row]] = row
    return rows


class QueueTableModel(QAbstractTableModel):
    """One queue: `set_query()` loads it; `sort()` and `set_search_text()` re-query in SQL."""

    loading_finished = Signal(int)
    """Every id of the load with this generation number is in the model."""
    row_count_changed = Signal(int)
    """The number of rows the model holds changed to this."""

    def __init__(
        self,
        *,
        runner: DbRunner,
        formatter: Formatter,
        clock: Callable[[], datetime] = utcnow,
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._factory: sessionmaker[Session] = runner.session_factory
        self._formatter = formatter
        self._clock = clock
        self._page_size = page_size
        self._query = QueueQuery()
        self._ids: list[str] = []
        self._rows: dict[str, QueueRow | None] = {}
        self._generation = 0
        self._complete = True
        self._now = clock()
        self._retired: list[list[str]] = []
        """Id lists of replaced queues, freed after the first paint of the new one."""
        self._in_place: int | None = None
        """The generation of the in-place reload whose id list the worker is fetching."""
        self._again: set[str] | None = None
        """Ids held by an in-place reload asked for while another was running: one more
        runs when that one's list is in (a burst of syncs never starves the queue)."""

    # --- loading ----------------------------------------------------------------------

    @property
    def query(self) -> QueueQuery:
        return self._query

    @property
    def generation(self) -> int:
        """Bumped by every load; results of an older generation are dropped."""
        return self._generation

    @property
    def is_complete(self) -> bool:
        """Whether the whole id list of the current load has arrived."""
        return self._complete

    def set_query(self, query: QueueQuery) -> None:
        """Show `query`: the first page now, the rest of the ids from the DB worker."""
        self._generation += 1
        generation = self._generation
        limit = min(FIRST_PAGE, self._page_size)
        with self._factory() as session:
            first = ticket_ids(session, query, limit=limit)
            rows = load_queue_rows(session, first)
        self.beginResetModel()
        self._query = query
        self._in_place = None
        self._again = None
        self._retired.append(self._ids)
        self._ids = first
        self._rows = {ticket_id: rows.get(ticket_id) for ticket_id in first}
        self._complete = len(first) < limit
        self._now = self._clock()
        self.endResetModel()
        self.row_count_changed.emit(len(self._ids))
        if self._complete:
            self.loading_finished.emit(generation)
        # after the view has painted the first rows: the worker would share the GIL
        # with that paint, and freeing the old list would delay it
        QTimer.singleShot(REST_DELAY_MS, self, lambda: self._after_first_paint(generation))

    def _after_first_paint(self, generation: int) -> None:
        self._retired.clear()
        if self._complete or generation != self._generation:
            return  # complete already, or a newer query replaced this one meanwhile
        self._fetch(generation, self._held_ids())

    def _fetch(self, generation: int, wanted: Iterable[str]) -> None:
        """Ask the worker for the query's whole id list and the new rows of `wanted`."""
        query = self._query
        held = frozenset(wanted)
        self._runner.submit(
            lambda session: _ids_and_rows_of(session, query, held),
            lambda got: self._ids_arrived(generation, *got),
        )

    def reload(self) -> None:
        """Load the current query again from its first screen (a reset: views lose their
        selection; after a local edit the caller selects what it wants)."""
        self.set_query(self._query)

    def reload_in_place(self, keep: Iterable[str] = ()) -> None:
        """Load the current query again without a reset (after a sync): the rows shown stay
        until the new id list is in, then each row moves to its ticket's new place, so the
        view's selection, current index and scroll position stay with their tickets; the
        ones that left the queue drop out. `keep`: ticket ids the caller holds on to (the
        selected ones), whose new rows the worker finds along with the list."""
        wanted = set(keep) | self._held_ids()
        if self._in_place is not None and self._in_place == self._generation:
            self._again = wanted if self._again is None else self._again | wanted
            return  # one at a time: the running one's list is applied, then this one
        self._generation += 1
        self._in_place = self._generation
        self._complete = False
        self._fetch(self._generation, wanted)

    def _held_ids(self) -> set[str]:
        """The tickets of the model's persistent indexes (a view's current index and the
        corners of its selection ranges): a few, never the whole list."""
        ids, have = self._ids, len(self._ids)
        return {ids[i.row()] for i in self.persistentIndexList() if 0 <= i.row() < have}

    def set_search_text(self, text: str) -> None:
        """Narrow the queue to tickets matching `text` (E6, Persian-aware in core)."""
        if text != self._query.text:
            self.set_query(replace(self._query, text=text))

    def _ids_arrived(self, generation: int, ids: list[str], found: dict[str, int | None]) -> None:
        if generation != self._generation:
            return  # a newer query replaced this one while the worker ran
        in_place = self._in_place == generation
        self._in_place = None
        have = len(self._ids)
        if in_place:
            self._now = self._clock()
            if ids == self._ids:  # the same order: only the rows' contents may differ
                self._rows = {}
                if ids:
                    last = self.index(len(ids) - 1, len(Column) - 1)
                    self.dataChanged.emit(self.index(0, 0), last)
            else:
                self._move_rows(ids, found)
        elif len(ids) > have and ids[:have] == self._ids:
            self.beginInsertRows(QModelIndex(), have, len(ids) - 1)
            self._ids = ids
            self.endInsertRows()
        elif ids != self._ids:
            # the cache changed between the first page and the full list (a sync): the
            # first screen's rows move to their tickets' places, a selection with them
            self._move_rows(ids, found)
        self._complete = True
        self.row_count_changed.emit(len(self._ids))
        self.loading_finished.emit(generation)
        if self._again is not None and generation == self._generation:
            again, self._again = self._again, None
            self.reload_in_place(again)

    def _move_rows(self, ids: list[str], found: dict[str, int | None]) -> None:
        """Show `ids` instead of the current list, every persistent index moved to its
        ticket's new row (or dropped when the ticket left): rows appended at the end if
        the list grew, one layout change, rows removed at the end if it shrank."""
        root = QModelIndex()
        old = self._ids
        if len(ids) > len(old):
            self.beginInsertRows(root, len(old), len(ids) - 1)
            self._ids = old + ids[len(old) :]
            self.endInsertRows()
        # rows only: a selection model then holds one persistent index per selected row,
        # not one per cell (the hint needs the signal's full signature to be sent)
        hint = QAbstractItemModel.LayoutChangeHint.VerticalSortHint
        cast(Any, self.layoutAboutToBeChanged)[_PARENTS, _HINT].emit([], hint)
        before = self.persistentIndexList()
        current = self._ids
        held = [current[i.row()] if 0 <= i.row() < len(current) else None for i in before]
        rows = _rows_in(ids, {t: i.row() for t, i in zip(held, before, strict=True) if t}, found)
        after: list[QModelIndex] = []
        for ticket_id, index in zip(held, before, strict=True):
            row = rows.get(ticket_id) if ticket_id else None
            after.append(QModelIndex() if row is None else self.createIndex(row, index.column()))
        # the rows past the new end keep their old ids until they are removed just below
        self._ids = ids if len(ids) >= len(current) else ids + current[len(ids) :]
        self._rows = {}
        self.changePersistentIndexList(before, after)
        cast(Any, self.layoutChanged)[_PARENTS, _HINT].emit([], hint)
        if len(ids) < len(self._ids):
            self.beginRemoveRows(root, len(ids), len(self._ids) - 1)
            self._ids = ids
            self.endRemoveRows()

    def _row(self, row: int) -> QueueRow | None:
        ticket_id = self._ids[row]
        if ticket_id not in self._rows:
            self._load_page_around(row)
        return self._rows.get(ticket_id)

    def _load_page_around(self, row: int) -> None:
        """One query for the ~page of rows around `row` (scrolling loads a screen at a time)."""
        if len(self._rows) > 5 * self._page_size:
            self._rows = {}  # a small cache: memory stays flat however far one scrolls
        start = max(0, row - self._page_size // 2)
        page = [i for i in self._ids[start : start + self._page_size] if i not in self._rows]
        with self._factory() as session:
            loaded = load_queue_rows(session, page)
        for ticket_id in page:
            self._rows[ticket_id] = loaded.get(ticket_id)  # None: gone since the id list

    def refresh_times(self) -> None:
        """Re-evaluate "now" for the SLA and updated columns (a timer calls this)."""
        self._now = self._clock()
        if self._ids:
            self.dataChanged.emit(
                self.index(0, Column.SLA_DUE),
                self.index(len(self._ids) - 1, Column.UPDATED),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole],
            )

    def ticket_id(self, row: int) -> str:
        return self._ids[row]

    def ticket_ids_between(self, first: int, last: int) -> list[str]:
        """The ids of rows `first` to `last` (inclusive), one slice of the list."""
        return self._ids[max(0, first) : last + 1]

    def row_of(self, ticket_id: str, near: int = -1) -> int:
        """The row of `ticket_id` in the queue's current order, or -1. `near`: the row where
        the caller last saw it, checked first; else one C-level pass over the id list."""
        ids = self._ids
        if 0 <= near < len(ids) and ids[near] == ticket_id:
            return near
        try:
            return ids.index(ticket_id)
        except ValueError:
            return -1

    def neighbour_id(self, ticket_id: str, step: int, near: int = -1) -> str | None:
        """The ticket `step` rows after `ticket_id` (before it when negative) in the queue's
        current order (a ticket window's next / previous); None past either end, or when
        `ticket_id` is not in the queue (any more)."""
        row = self.row_of(ticket_id, near)
        target = row + step
        return self._ids[target] if row >= 0 and 0 <= target < len(self._ids) else None

    # --- Qt overrides -----------------------------------------------------------------

    @override
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    @override
    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    @override
    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        column = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            # the marker column is too narrow for a word; its tooltip names it
            return "" if column is Column.UNSYNCED else _tr(HEADERS[column])
        if role == Qt.ItemDataRole.ToolTipRole and column is Column.UNSYNCED:
            return QCoreApplication.translate("QueueTableModel", "Edits not yet sent to the server")
        return None

    @override
    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if role not in _SERVED_ROLES:
            return None  # a painted cell asks for roles this model never sets: answer fast
        row, column = index.row(), index.column()
        if not 0 <= row < len(self._ids) or not 0 <= column < len(_COLUMNS):
            return None  # also an invalid index (row -1)
        try:
            return self._data(row, _COLUMNS[column], role)
        except Exception:  # a view must never see an exception; log it as the bug it is
            log.exception("queue data failed for row %s role %s", index.row(), role)
            return None

    @override
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(Column(column)) if 0 <= column < len(Column) else None
        if key is None:
            return  # no index serves this column; keep the current order
        descending = order == Qt.SortOrder.DescendingOrder
        if key is self._query.sort and descending == self._query.descending:
            return
        self.set_query(replace(self._query, sort=key, descending=descending))

    def sort_column(self) -> Column:
        """The column whose header shows the current sort."""
        for column, key in SORT_KEYS.items():
            if key is self._query.sort:
                return column
        return Column.PRIORITY

    # --- display ----------------------------------------------------------------------

    def _data(self, row: int, column: Column, role: int) -> Any:  # noqa: PLR0911 - a role each
        if role == TicketIdRole:
            return self._ids[row]
        line = self._row(row)
        if line is None:
            return None
        if role == QueueRowRole:
            return line
        if role == OverdueRole:
            return self._overdue(line)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(line, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(line, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGNMENTS[column]
        if role == Qt.ItemDataRole.BackgroundRole and column is Column.PRIORITY:
            return _brush(PRIORITY_COLOURS[line.priority][0])
        if role == Qt.ItemDataRole.ForegroundRole:
            if column is Column.PRIORITY:
                return _brush(PRIORITY_COLOURS[line.priority][1])
            if column is Column.SLA_DUE and self._overdue(line):
                return _brush(OVERDUE_COLOUR)
            return None
        if role == Qt.ItemDataRole.FontRole and (
            (column is Column.SLA_DUE and self._overdue(line))
            or (column is Column.TITLE and line.staff_state == StaffState.UNREAD)
        ):
            return _bold_font()
        return None

    def _overdue(self, line: QueueRow) -> bool:
        return (
            line.sla_due_at is not None
            and line.status is not Status.CLOSED
            and line.sla_due_at < self._now
        )

    def _display(self, line: QueueRow, column: Column) -> str:  # noqa: PLR0911, PLR0912 - a case per column
        fmt = self._formatter
        match column:
            case Column.UNSYNCED:
                return "●" if line.unsynced else ""
            case Column.NUMBER:
                return (
                    fmt.number(line.number)
                    if line.number is not None
                    else QCoreApplication.translate("QueueTableModel", "pending")
                )
            case Column.TITLE:
                return line.title
            case Column.CUSTOMER:
                return line.customer
            case Column.STAGE:
                return line.stage or _tr(STATUS_LABELS[line.status])
            case Column.PRIORITY:
                return _tr(PRIORITY_LABELS[line.priority])
            case Column.SEVERITY:
                return _tr(SEVERITY_LABELS[line.severity])
            case Column.IMPACT:
                return _tr(IMPACT_LABELS[line.impact])
            case Column.TEAM:
                return line.team or ""
            case Column.ASSIGNEE:
                return line.assignee or QCoreApplication.translate("QueueTableModel", "Unassigned")
            case Column.SLA_DUE:
                if line.sla_due_at is None or line.status is Status.CLOSED:
                    return ""
                return fmt.relative(line.sla_due_at, self._now)
            case Column.UPDATED:
                return fmt.updated(line.updated_at, self._now)
            case Column.STAFF_STATE:
                return _tr(STAFF_LABELS.get(line.staff_state, line.staff_state))
            case Column.CUSTOMER_STATE:
                return _tr(CUSTOMER_LABELS.get(line.customer_state, line.customer_state))

    def _tooltip(self, line: QueueRow, column: Column) -> str | None:
        fmt = self._formatter
        if column is Column.UNSYNCED and line.unsynced:
            return QCoreApplication.translate("QueueTableModel", "Edits not yet sent to the server")
        if column is Column.SLA_DUE and line.sla_due_at is not None:
            text = fmt.moment(line.sla_due_at, self._now)
            return (
                QCoreApplication.translate("QueueTableModel", "Overdue since %1").replace(
                    "%1", text
                )
                if self._overdue(line)
                else text
            )
        if column is Column.UPDATED:
            return fmt.moment(line.updated_at, self._now)
        if column is Column.TITLE:
            return line.title
        if column is Column.STAFF_STATE:
            return QCoreApplication.translate(
                _CTX, STAFF_TOOLTIPS.get(line.staff_state, line.staff_state)
            )
        return None
