"""The kanban's models (O1), shared with the queue rather than copied.

Each column of the board is a `KanbanColumnModel`, which *is* a `QueueTableModel`
(desktop/models/queue_model.py) showing the queue `core.kanban.column_query(team,
stage)`: a `core.queues.QueueQuery` restricted to one team and one stage. So a column
gets the queue's loading (the first page on the GUI thread, the rest of the ordered ids
from the DB worker, rows loaded a page at a time around what is painted: a column of
10,000 tickets never loads 10,000 cards), its SQL sort, its roles (TicketIdRole,
QueueRowRole, OverdueRole), its texts ("pending" for an unsynced number, Jalali and
relative SLA times, priority colours) and its `reload()` after a local edit or a sync.
The subclass adds only drag and drop: a dragged card carries its ticket ids, and a drop
asks the board to move them to the column's stage.

`KanbanBoard` holds one column model per stage of the chosen team and does the move:
`core.local_edits.set_stage_locally` on the DbRunner (the edit and its outbox intent in
one transaction), then the columns reload and the sync engine is poked. A move the
server refuses later comes back as a conflict like any other local edit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from PySide6.QtCore import (
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from sqlalchemy.orm import Session
from typing_extensions import override

from core.ids import utcnow
from core.kanban import BoardStage, board_stages, column_query, stage_counts
from core.local_edits import BulkResult, apply_to_each, set_stage_locally
from desktop.formatting import Formatter
from desktop.models.queue_model import PAGE_SIZE, QueueTableModel, TicketIdRole
from desktop.runner import DbRunner

CARD_MIME = "application/x-helpdesk-ticket-ids"
"""A dragged card: JSON {"ids": [...], "stage": the column it left}."""


class KanbanColumnModel(QueueTableModel):
    """One stage's column: the queue of the team's tickets in that stage, plus drag and
    drop of its cards."""

    drop_requested = Signal(list, str)
    """Cards with these ticket ids were dropped on this column's stage (id)."""

    def __init__(
        self,
        stage: BoardStage,
        *,
        runner: DbRunner,
        formatter: Formatter,
        clock: Callable[[], datetime] = utcnow,
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(
            runner=runner, formatter=formatter, clock=clock, page_size=page_size, parent=parent
        )
        self.stage = stage

    @override
    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # drops land on the column, not on a card
        return super().flags(index) | Qt.ItemFlag.ItemIsDragEnabled

    @override
    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    @override
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    @override
    def mimeTypes(self) -> list[str]:
        return [CARD_MIME]

    @override
    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids: list[str] = []
        for index in indexes:
            ticket_id = index.data(TicketIdRole)
            if isinstance(ticket_id, str) and ticket_id not in ids:
                ids.append(ticket_id)
        data = QMimeData()
        payload = json.dumps({"ids": ids, "stage": self.stage.id})
        data.setData(CARD_MIME, QByteArray(payload.encode()))
        return data

    @override
    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        cards = read_cards(data)
        return cards is not None and cards[1] != self.stage.id and bool(cards[0])

    @override
    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        cards = read_cards(data)
        assert cards is not None
        self.drop_requested.emit(cards[0], self.stage.id)
        return True

    @override
    def removeRows(
        self,
        row: int,
        count: int,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> bool:
        # a finished move-drag asks the source to remove its rows: the reload after the
        # edit does that from the cache, so nothing is removed by hand here
        return False


def read_cards(data: QMimeData) -> tuple[list[str], str] | None:
    """The ticket ids and source stage of a dragged card, or None if it is not one."""
    if not data.hasFormat(CARD_MIME):
        return None
    try:
        payload = json.loads(bytes(data.data(CARD_MIME).data()).decode())
        ids = [str(i) for i in payload["ids"]]
        return ids, str(payload["stage"])
    except (ValueError, KeyError, TypeError):
        return None


class KanbanBoard(QObject):
    """The board of one team: its stages, a column model each, their counts, and moves."""

    columns_changed = Signal()
    """The team or its pipeline changed: the view rebuilds its columns."""
    counts_changed = Signal(dict)
    """Tickets per stage id (every column, folded ones too)."""
    moved = Signal(object)
    """A move landed in the cache; carries its `BulkResult`."""
    move_failed = Signal(str)
    """The cache could not be written (the view tells the agent)."""

    def __init__(
        self,
        *,
        runner: DbRunner,
        formatter: Formatter,
        clock: Callable[[], datetime] = utcnow,
        on_local_edit: Callable[[], None] | None = None,
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._formatter = formatter
        self._clock = clock
        self._on_local_edit = on_local_edit
        self._page_size = page_size
        self.team_id: str | None = None
        self.stages: list[BoardStage] = []
        self.columns: dict[str, KanbanColumnModel] = {}
        self.counts: dict[str, int] = {}
        self._moving = False

    def show_team(self, team_id: str) -> None:
        """Build the columns of `team_id`'s pipeline and load each column's first page."""
        self.team_id = team_id
        self._rebuild(self._read_stages(team_id))

    def reload(self) -> None:
        """After a sync or an edit: the same columns reload (a changed pipeline rebuilds)."""
        if self.team_id is None:
            return
        stages = self._read_stages(self.team_id)
        if stages != self.stages:
            self._rebuild(stages)
            return
        for model in self.columns.values():
            model.reload()
        self.refresh_counts()

    def refresh_counts(self) -> None:
        team_id = self.team_id
        if team_id is None:
            return
        self._runner.submit(
            lambda session: stage_counts(session, team_id),
            lambda counts: self._counts_arrived(team_id, counts),
        )

    def stage_index(self, stage_id: str) -> int:
        return next(i for i, s in enumerate(self.stages) if s.id == stage_id)

    def neighbour(self, stage_id: str, step: int) -> BoardStage | None:
        """The stage `step` places after `stage_id` in pipeline order, if any."""
        i = self.stage_index(stage_id) + step
        return self.stages[i] if 0 <= i < len(self.stages) else None

    def move(self, ticket_ids: Sequence[str], stage_id: str) -> bool:
        """Move the tickets to `stage_id` as local edits on the DB worker; False when a
        move is still running (one at a time, so a drag cannot race a key press)."""
        ids = list(ticket_ids)
        if not ids or self._moving:
            return False
        self._moving = True
        edit = partial(_set_stage, stage_id=stage_id)
        self._runner.submit(
            lambda session: apply_to_each(session, ids, edit),
            self._moved,
            on_error=self._move_failed,
        )
        return True

    # --- internals --------------------------------------------------------------------

    def _read_stages(self, team_id: str) -> list[BoardStage]:
        with self._runner.session_factory() as session:  # a handful of rows, indexed
            return board_stages(session, team_id)

    def _rebuild(self, stages: list[BoardStage]) -> None:
        old = self.columns
        self.stages = stages
        self.columns = {}
        assert self.team_id is not None
        for stage in stages:
            model = KanbanColumnModel(
                stage,
                runner=self._runner,
                formatter=self._formatter,
                clock=self._clock,
                page_size=self._page_size,
                parent=self,
            )
            model.drop_requested.connect(self.move)
            model.set_query(column_query(self.team_id, stage.id))
            self.columns[stage.id] = model
        self.counts = {}
        self.columns_changed.emit()
        for model in old.values():
            model.deleteLater()
        self.refresh_counts()

    def _counts_arrived(self, team_id: str, counts: dict[str, int]) -> None:
        if team_id != self.team_id:
            return  # the agent chose another team meanwhile
        self.counts = {stage.id: counts.get(stage.id, 0) for stage in self.stages}
        self.counts_changed.emit(self.counts)

    def _moved(self, result: BulkResult) -> None:
        self._moving = False
        if result.changed and self._on_local_edit is not None:
            self._on_local_edit()
        self.reload()
        self.moved.emit(result)

    def _move_failed(self, exc: BaseException) -> None:
        self._moving = False
        self.reload()
        self.move_failed.emit(str(exc))


def _set_stage(session: Session, ticket_id: str, *, stage_id: str) -> object:
    return set_stage_locally(session, ticket_id, stage_id)
