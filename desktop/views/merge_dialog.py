"""Merging duplicate tickets (O6): the dialog, and the queue's "Merge…", "Find
duplicates" and "Undo merge" actions.

The dialog lists the tickets with their similarity to the kept one, lets the agent pick
the ticket to keep and untick any that is not a duplicate, and shows what will move.
Everything it reads or writes runs on the DbRunner; the merge is a local edit
(core.local_edits.merge_locally) synced later, and so is the undo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from core.errors import DomainError
from core.local_edits import merge_locally, unmerge_locally
from core.merge import TicketSimilarity, likely_duplicates, similarity_report
from core.merge_undo import MergePreview, can_undo, preview
from desktop.context import WindowContext

if TYPE_CHECKING:
    from desktop.actions import TicketActions
    from desktop.views.main_window import MainWindow

CHECK, NUMBER, TITLE, SIMILARITY = range(4)


def refusal_text(code: str, fallback: str) -> str:
    """A refused merge or undo, in the agent's language."""
    known = {
        "already_merged": QCoreApplication.translate(
            "MergeDialog", "One of the tickets is already merged into another."
        ),
        "archived": QCoreApplication.translate(
            "MergeDialog", "One of the tickets is archived; restore it first."
        ),
        "too_few": QCoreApplication.translate(
            "MergeDialog", "Select at least two tickets to merge."
        ),
        "merge_into_self": QCoreApplication.translate(
            "MergeDialog", "A ticket cannot be merged into itself."
        ),
        "ticket_not_found": QCoreApplication.translate(
            "MergeDialog", "One of the tickets is no longer in the cache."
        ),
        "reply_after_merge": QCoreApplication.translate(
            "MergeDialog",
            "An agent replied on this ticket after the merge, so it can no longer be undone.",
        ),
        "not_last_merge": QCoreApplication.translate(
            "MergeDialog",
            "These tickets were merged again since, so this merge can no longer be undone.",
        ),
        "nothing_to_undo": QCoreApplication.translate(
            "MergeDialog", "No merge into this ticket was made here to undo."
        ),
    }
    return known.get(code, fallback)


@dataclass(frozen=True)
class MergeLoad:
    """What the dialog shows for one choice of the kept ticket."""

    report: list[TicketSimilarity]
    preview: MergePreview


def load(session: Session, ids: Sequence[str], keep_id: str, merged: Sequence[str]) -> MergeLoad:
    return MergeLoad(similarity_report(session, ids), preview(session, keep_id, merged))


class MergeDialog(QDialog):
    """Pick the ticket to keep among `ticket_ids`, see what moves, merge or discard."""

    merged = Signal(str, list)
    """The merge was saved in the cache: the kept ticket's id and the merged ones'."""

    def __init__(
        self,
        context: WindowContext,
        ticket_ids: Sequence[str],
        parent: QWidget | None = None,
        *,
        keep_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._ids = list(dict.fromkeys(ticket_ids))
        self._generation = 0
        self._report: dict[str, TicketSimilarity] = {}
        self._saving = False
        self.loaded = False
        self.setObjectName("mergeDialog")
        self.setWindowTitle(self.tr("Merge tickets"))
        self.setMinimumWidth(620)

        self.heading = QLabel(
            self.tr(
                "Everything of the other tickets moves into the kept one; they are archived "
                "as merged. Untick a ticket that is not a duplicate."
            )
        )
        self.heading.setWordWrap(True)
        self.keep_combo = QComboBox()
        self.keep_combo.setObjectName("keepCombo")
        self.tree = QTreeWidget()
        self.tree.setObjectName("mergeTickets")
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(
            [self.tr("Merge"), self.tr("Number"), self.tr("Title"), self.tr("Similarity")]
        )
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for column in (CHECK, NUMBER, SIMILARITY):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.counts = QLabel()
        self.counts.setObjectName("mergeCounts")
        self.counts.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("mergeError")
        self.error.setStyleSheet("color: #b3261e")
        self.error.setWordWrap(True)
        self.error.hide()

        self.buttons = self._buttons()

        form = QFormLayout()
        form.addRow(self.tr("Ticket to keep:"), self.keep_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.counts)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(720, 420)

        self._first_keep = keep_id if keep_id in self._ids else self._ids[0]
        self.tree.itemChanged.connect(self._item_changed)
        self.keep_combo.currentIndexChanged.connect(self.reload)
        self.reload()

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox()
        self.merge_button = QPushButton(self.tr("Merge"))
        self.merge_button.setObjectName("mergeButton")
        self.merge_button.setEnabled(False)
        buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.discard_button = buttons.addButton(
            self.tr("Discard"), QDialogButtonBox.ButtonRole.RejectRole
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        return buttons

    # --- reading ----------------------------------------------------------------------

    def keep_id(self) -> str:
        data = self.keep_combo.currentData()
        return str(data) if data else self._first_keep

    def rows(self) -> dict[str, QTreeWidgetItem]:
        """The listed tickets' rows by ticket id, in the listed order."""
        rows = {}
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item is not None:
                rows[str(item.data(CHECK, Qt.ItemDataRole.UserRole))] = item
        return rows

    def merged_ids(self) -> list[str]:
        """The ticked tickets other than the kept one, in the listed order."""
        keep = self.keep_id()
        return [
            ident
            for ident, item in self.rows().items()
            if ident != keep and item.checkState(CHECK) == Qt.CheckState.Checked
        ]

    @Slot()
    def reload(self) -> None:
        """Recompute similarities to the kept ticket and what would move (off the GUI)."""
        self._generation += 1
        generation = self._generation
        self.loaded = False
        self.merge_button.setEnabled(False)
        keep = self.keep_id()
        if self.tree.topLevelItemCount():
            merged = self.merged_ids()
        else:  # first load: every listed ticket is ticked
            merged = [i for i in self._ids if i != keep]
        ids = list(self._ids)

        def done(result: MergeLoad) -> None:
            if generation == self._generation:
                self._show(result)

        self._context.runner.submit(
            lambda session: load(session, ids, keep, merged), done, on_error=self._failed
        )

    def _label(self, line: TicketSimilarity) -> str:
        if line.number is None:
            return self.tr("pending")
        return "#" + self._context.localization.formatter.number(line.number)

    def _percent(self, value: float) -> str:
        return self._context.localization.formatter.number(round(value * 100)) + "٪"

    def _show(self, result: MergeLoad) -> None:
        self._report = {line.ticket_id: line for line in result.report}
        keep = self.keep_id()
        kept = self._report[keep]
        bold = QFont(self.font())
        bold.setBold(True)
        self.tree.blockSignals(True)
        self.keep_combo.blockSignals(True)
        if not self.tree.topLevelItemCount():
            for line in result.report:
                self.keep_combo.addItem(f"{self._label(line)} {line.title}", line.ticket_id)
                item = QTreeWidgetItem(["", self._label(line), line.title, ""])
                item.setData(CHECK, Qt.ItemDataRole.UserRole, line.ticket_id)
                item.setCheckState(CHECK, Qt.CheckState.Checked)
                item.setTextAlignment(SIMILARITY, Qt.AlignmentFlag.AlignCenter)
                self.tree.addTopLevelItem(item)
            self.keep_combo.setCurrentIndex(self.keep_combo.findData(keep))
        for ident, item in self.rows().items():
            is_kept = ident == keep
            flags = item.flags()
            if is_kept:
                item.setFlags(flags & ~Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(CHECK, Qt.CheckState.Checked)
                item.setText(SIMILARITY, self.tr("kept"))
            else:
                item.setFlags(flags | Qt.ItemFlag.ItemIsUserCheckable)
                item.setText(SIMILARITY, self._percent(kept.scores.get(ident, 0.0)))
            for column in range(4):
                item.setFont(column, bold if is_kept else self.font())
        self.keep_combo.blockSignals(False)
        self.tree.blockSignals(False)
        f = self._context.localization.formatter
        p = result.preview
        self.counts.setText(
            self.tr(
                "Moves into the kept ticket: %1 messages, %2 attachments, %3 followers, "
                "%4 contacts."
            )
            .replace("%1", f.number(p.messages))
            .replace("%2", f.number(p.attachments))
            .replace("%3", f.number(p.followers))
            .replace("%4", f.number(p.contacts))
        )
        self.loaded = True
        self.merge_button.setEnabled(bool(self.merged_ids()) and not self._saving)

    def _item_changed(self, _item: QTreeWidgetItem, column: int) -> None:
        if column == CHECK:
            self.reload()

    def _failed(self, exc: BaseException) -> None:
        self._saving = False
        if isinstance(exc, DomainError):
            text = refusal_text(exc.code, exc.message)
        else:
            text = self.tr("The merge could not be saved in the local cache:\n%1").replace(
                "%1", str(exc)
            )
        self.error.setText(text)
        self.error.show()
        self.merge_button.setEnabled(self.loaded and bool(self.merged_ids()))

    # --- saving -----------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        keep, merged = self.keep_id(), self.merged_ids()
        if not merged or self._saving:
            return
        self._saving = True
        self.merge_button.setEnabled(False)
        self.error.hide()
        actor = self._context.user_id

        def done(merged_ids: list[str]) -> None:
            self._saving = False
            self._context.local_edit_done()
            self.merged.emit(keep, merged_ids)
            self.accept()

        self._context.runner.submit(
            lambda session: merge_locally(session, keep, merged, actor),
            done,
            on_error=self._failed,
        )


class MergeActions(QObject):
    """The queue's "Merge…" (two or more selected), "Find duplicates" and "Undo merge"
    (one selected), on the toolbar and in the context menu of `TicketActions`."""

    def __init__(self, context: WindowContext, window: MainWindow, actions: TicketActions) -> None:
        super().__init__(actions)
        self._context = context
        self._window = window
        self._actions = actions
        self.dialog: MergeDialog | None = None
        table = window.table

        def make(text: str, name: str) -> QAction:
            action = QAction(text, table)
            action.setObjectName(name)
            table.addAction(action)
            return action

        self.merge = make(QCoreApplication.translate("MergeDialog", "Merge…"), "mergeTickets")
        self.merge.triggered.connect(self.on_merge)
        self.find = make(
            QCoreApplication.translate("MergeDialog", "Find duplicates"), "findDuplicates"
        )
        self.find.triggered.connect(self.on_find_duplicates)
        self.undo = make(QCoreApplication.translate("MergeDialog", "Undo merge"), "undoMerge")
        self.undo.triggered.connect(self.on_undo)
        self.merge.setToolTip(
            QCoreApplication.translate("MergeDialog", "Merge the selected tickets into one")
        )
        self.find.setToolTip(
            QCoreApplication.translate("MergeDialog", "Look for tickets that duplicate this one")
        )
        actions.toolbar.addAction(self.merge)
        actions.toolbar.addAction(self.undo)
        table.selectionModel().selectionChanged.connect(self.update_enabled)
        window.model.modelReset.connect(self.update_enabled)
        self.update_enabled()

    def add_to(self, menu: QMenu) -> None:
        """The merge actions at the end of the queue's context menu."""
        self.update_enabled()
        menu.addSeparator()
        for action in (self.merge, self.find, self.undo):
            menu.addAction(action)
        self.merge.setVisible(self.merge.isEnabled())
        self.find.setVisible(self.find.isEnabled())
        # a merge that can no longer be undone stays in the menu, disabled, with why
        self.undo.setVisible(self.undo.isEnabled() or self._undo_reason is not None)

    @Slot()
    def update_enabled(self) -> None:
        ids = self._actions.selected_ids()
        self.merge.setEnabled(len(ids) >= 2)
        self.find.setEnabled(len(ids) == 1)
        self._undo_reason: str | None = None
        undoable = False
        if len(ids) == 1:
            with self._context.runner.session_factory() as session:
                log, blocker = can_undo(session, ids[0])
            undoable = log is not None and blocker is None
            if log is not None and blocker is not None:
                self._undo_reason = refusal_text(blocker, blocker)
        self.undo.setEnabled(undoable)
        self.undo.setToolTip(
            self._undo_reason
            or QCoreApplication.translate(
                "MergeDialog", "Put the tickets merged into this one back as they were"
            )
        )

    # --- handlers ---------------------------------------------------------------------

    def open_dialog(self, ids: Sequence[str], keep_id: str | None = None) -> MergeDialog:
        dialog = MergeDialog(self._context, ids, self._window, keep_id=keep_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.merged.connect(self._merged)
        dialog.destroyed.connect(self._forget)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _forget(self) -> None:
        self.dialog = None

    @Slot()
    def on_merge(self) -> None:
        ids = self._actions.selected_ids()
        if len(ids) >= 2:
            self.open_dialog(ids)

    @Slot()
    def on_find_duplicates(self) -> None:
        ids = self._actions.selected_ids()
        if len(ids) != 1:
            return
        ticket_id = ids[0]

        def done(found: list[tuple[str, float]]) -> None:
            if not found:
                self._window.statusBar().showMessage(
                    QCoreApplication.translate(
                        "MergeDialog", "No likely duplicates of this ticket were found."
                    ),
                    6000,
                )
                return
            self.open_dialog([ticket_id, *(i for i, _ in found)], keep_id=ticket_id)

        self._context.runner.submit(lambda session: likely_duplicates(session, ticket_id), done)

    @Slot()
    def on_undo(self) -> None:
        ids = self._actions.selected_ids()
        if len(ids) != 1:
            return
        keep = ids[0]

        def done(restored: list[str]) -> None:
            self._context.local_edit_done()
            self._after(
                [keep, *restored],
                QCoreApplication.translate(
                    "MergeDialog", "Merge undone: %1 tickets restored"
                ).replace("%1", self._context.localization.formatter.number(len(restored))),
            )

        def failed(exc: BaseException) -> None:
            text = refusal_text(exc.code, exc.message) if isinstance(exc, DomainError) else str(exc)
            QMessageBox.warning(
                self._window, QCoreApplication.translate("MergeDialog", "Merge not undone"), text
            )
            self.update_enabled()

        self._context.runner.submit(
            lambda session: unmerge_locally(session, keep), done, on_error=failed
        )

    def _merged(self, keep: str, merged: list[str]) -> None:
        self._after(
            [keep],
            QCoreApplication.translate("MergeDialog", "%1 tickets merged").replace(
                "%1", self._context.localization.formatter.number(len(merged) + 1)
            ),
        )

    def _after(self, ids: list[str], text: str) -> None:
        model = self._window.model
        model.reload()
        self._window.refresh_counts()
        self._actions.select_ids(ids)
        self.update_enabled()
        self._window.statusBar().showMessage(text, 6000)
