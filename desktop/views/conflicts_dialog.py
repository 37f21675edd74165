"""The conflicts list (E7): each field the server kept its own value for, with the
server's value and the agent's; keep the server's or use mine. Below, the changes the
server refused whole, with its reason. All cache work runs on the DB worker."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desktop.formatting import Formatter
from desktop.runner import DbRunner
from desktop.translate import QT_TRANSLATE_NOOP
from sync.client import conflicts
from sync.client.conflicts import ConflictRow, RejectedRow

FIELD_LABELS: dict[str, str] = {
    "assignee_id": QT_TRANSLATE_NOOP("ConflictsDialog", "Assignee"),
    "team_id": QT_TRANSLATE_NOOP("ConflictsDialog", "Team"),
    "stage_id": QT_TRANSLATE_NOOP("ConflictsDialog", "Stage"),
    "status": QT_TRANSLATE_NOOP("ConflictsDialog", "Status"),
    "title": QT_TRANSLATE_NOOP("ConflictsDialog", "Title"),
    "severity": QT_TRANSLATE_NOOP("ConflictsDialog", "Severity"),
    "impact": QT_TRANSLATE_NOOP("ConflictsDialog", "Impact"),
}
VALUE_LABELS: dict[str, str] = {
    "new": QT_TRANSLATE_NOOP("ConflictsDialog", "New"),
    "in_progress": QT_TRANSLATE_NOOP("ConflictsDialog", "In progress"),
    "closed": QT_TRANSLATE_NOOP("ConflictsDialog", "Closed"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("ConflictsDialog", text)


class ConflictsDialog(QDialog):
    """Lists conflicts and refusals; `changed` after each resolution (the window then
    pokes the engine and refreshes)."""

    changed = Signal()

    def __init__(
        self,
        runner: DbRunner,
        formatter: Formatter,
        *,
        on_local_edit: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conflictsDialog")
        self.setWindowTitle(self.tr("Conflicts"))
        self.resize(760, 460)
        self._runner = runner
        self._formatter = formatter
        self._on_local_edit = on_local_edit
        self.conflict_rows: list[ConflictRow] = []
        self.rejected_rows: list[RejectedRow] = []
        self._loading = False
        self._build()
        self._enable()
        self.reload()

    def _build(self) -> None:
        intro = QLabel(
            self.tr(
                "Someone else changed these fields before your change reached the server. "
                "Keep the server's value, or use yours again."
            )
        )
        intro.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setObjectName("conflictError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("conflictsTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Ticket"), self.tr("Field"), self.tr("Server's value"), self.tr("Your value")]
        )
        self.keep_button = QPushButton(self.tr("Keep server's"))
        self.keep_button.setObjectName("keepServers")
        self.mine_button = QPushButton(self.tr("Use mine"))
        self.mine_button.setObjectName("useMine")
        self.keep_button.clicked.connect(self.keep_servers)
        self.mine_button.clicked.connect(self.use_mine)

        refused_label = QLabel(self.tr("Changes the server refused"))
        self.rejected_table = QTableWidget(0, 2)
        self.rejected_table.setObjectName("rejectedTable")
        self.rejected_table.setHorizontalHeaderLabels([self.tr("Ticket"), self.tr("Reason")])
        self.dismiss_button = QPushButton(self.tr("Dismiss"))
        self.dismiss_button.setObjectName("dismissRejected")
        self.dismiss_button.clicked.connect(self.dismiss_rejected)

        for table in (self.table, self.rejected_table):
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.verticalHeader().setVisible(False)
            table.horizontalHeader().setStretchLastSection(True)
            table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            table.itemSelectionChanged.connect(self._enable)

        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.mine_button)
        buttons.addStretch(1)
        refused_buttons = QHBoxLayout()
        refused_buttons.addWidget(self.dismiss_button)
        refused_buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        layout.addWidget(refused_label)
        layout.addWidget(self.rejected_table, 1)
        layout.addLayout(refused_buttons)
        layout.addWidget(close)

    # -- loading ----------------------------------------------------------------------

    def reload(self) -> None:
        def work(session: Session) -> tuple[list[ConflictRow], list[RejectedRow]]:
            return conflicts.load_conflicts(session), conflicts.load_rejected(session)

        self._loading = True
        self._runner.submit(work, self._show)

    @property
    def loading(self) -> bool:
        return self._loading

    def _ticket(self, number: int | None, title: str) -> str:
        shown = self.tr("pending") if number is None else self._formatter.number(number)
        return f"{shown} — {title}" if title else shown

    def _value(self, field: str, text: str) -> str:
        if not text:
            return self.tr("(none)")
        if field == "status" and text in VALUE_LABELS:
            return _tr(VALUE_LABELS[text])
        return text

    def _show(self, loaded: tuple[list[ConflictRow], list[RejectedRow]]) -> None:
        self.conflict_rows, self.rejected_rows = loaded
        self.table.setRowCount(len(self.conflict_rows))
        for row, c in enumerate(self.conflict_rows):
            label = FIELD_LABELS.get(c.field)
            cells = [
                self._ticket(c.ticket_number, c.ticket_title),
                _tr(label) if label else c.field,
                self._value(c.field, c.current_text),
                self._value(c.field, c.mine_text),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(c.message if column else text)
                self.table.setItem(row, column, item)
        self.rejected_table.setRowCount(len(self.rejected_rows))
        for row, r in enumerate(self.rejected_rows):
            for column, text in enumerate(
                [self._ticket(r.ticket_number, r.ticket_title), r.reason]
            ):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.rejected_table.setItem(row, column, item)
        self._loading = False
        self._enable()

    @Slot()
    def _enable(self) -> None:
        chosen = bool(self.table.selectedItems())
        self.keep_button.setEnabled(chosen)
        self.mine_button.setEnabled(chosen)
        self.dismiss_button.setEnabled(bool(self.rejected_table.selectedItems()))

    @staticmethod
    def _selected_row(table: QTableWidget) -> int:
        rows = table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _selected_conflict(self) -> ConflictRow | None:
        row = self._selected_row(self.table)
        return self.conflict_rows[row] if 0 <= row < len(self.conflict_rows) else None

    # -- actions ----------------------------------------------------------------------

    def _after(self, *, edited: bool) -> Callable[[object], None]:
        def done(_result: object) -> None:
            if edited and self._on_local_edit is not None:
                self._on_local_edit()
            self.changed.emit()
            self.reload()

        return done

    @Slot()
    def keep_servers(self) -> None:
        chosen = self._selected_conflict()
        if chosen is None:
            return
        self._loading = True
        self._runner.submit(
            lambda s: conflicts.dismiss_conflict(s, chosen.mutation_id, chosen.field),
            self._after(edited=False),
        )

    @Slot()
    def use_mine(self) -> None:
        chosen = self._selected_conflict()
        if chosen is None:
            return
        self._loading = True
        self._runner.submit(
            lambda s: conflicts.use_mine(s, chosen),
            self._after(edited=True),
            on_error=self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        """The agent's value cannot be applied now (e.g. the colleague it named left):
        said in the dialog; the conflict stays listed."""
        self._loading = False
        self.error_label.setText(
            self.tr("Your value could not be applied: %1").replace("%1", str(exc))
        )
        self.error_label.show()

    @Slot()
    def dismiss_rejected(self) -> None:
        row = self._selected_row(self.rejected_table)
        if not 0 <= row < len(self.rejected_rows):
            return
        seq = self.rejected_rows[row].seq
        self._loading = True
        self._runner.submit(lambda s: conflicts.dismiss_rejected(s, seq), self._after(edited=False))
