"""The queue's actions (C3, E2, E4): assign to me, refer to a colleague with a note,
change stage, follow / unfollow, close, reopen, archive / restore and the customer file,
on the toolbar, in the table's context menu and as single-key shortcuts.

The shortcuts are bound to the queue table only (Qt.WidgetShortcut), so typing in the
search box never triggers them; each also answers to the same key under the Persian
layout (desktop.shortcuts: "A" and "ش" assign to me). Every action is a local edit
through core.local_edits, run on the DbRunner one ticket per transaction with its outbox
rows (E2 bulk: in chunks, with progress when many); then the queue reloads and the sync
engine is poked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QToolBar,
)
from sqlalchemy.orm import Session

from core.errors import DomainError
from core.local_edits import (
    KEEP_TEAM,
    BulkResult,
    apply_to_each,
    archive_ticket_locally,
    assign_ticket_locally,
    close_ticket_locally,
    follow_ticket_locally,
    reopen_ticket_locally,
    set_stage_locally,
)
from core.triage import TeamChoice, TicketBrief, briefs, teams
from desktop.context import WindowContext
from desktop.shortcuts import with_persian_twins

if TYPE_CHECKING:
    from desktop.views.main_window import MainWindow

CHUNK = 25
"""Tickets per background job of a bulk action; progress shows between chunks."""
PROGRESS_FROM = 2 * CHUNK
"""A bulk action on this many tickets or more shows a progress dialog."""
BRIEF_LIMIT = 200
"""At most this many selected tickets are read on the GUI thread to enable actions."""

Edit = Callable[[Session, str], object]


def error_text(exc: DomainError) -> str:
    """A refused edit, in the agent's language where the code is known."""
    known = {
        "stage_not_in_team": QCoreApplication.translate(
            "TicketActions", "That stage belongs to another team."
        ),
        "already_merged": QCoreApplication.translate(
            "TicketActions", "This ticket is merged into another and stays archived."
        ),
        "not_found": QCoreApplication.translate(
            "TicketActions", "This ticket is no longer in the cache."
        ),
        "invalid_assignee": QCoreApplication.translate(
            "TicketActions", "The assignee must be an active staff user."
        ),
    }
    return known.get(exc.code, exc.message)


def sync_poke(context: WindowContext) -> None:
    """Ask the sync engine to push soon, when the window has one."""
    for name in ("sync", "sync_bridge"):
        bridge = getattr(context, name, None)
        poke = getattr(bridge, "poke", None)
        if callable(poke):
            poke()
            return


class TicketActions(QObject):
    """The actions of one main window's queue table."""

    finished = Signal(object)
    """A batch of local edits landed; carries its `BulkResult`."""

    def __init__(self, context: WindowContext, window: MainWindow) -> None:
        super().__init__(window)
        self._context = context
        self._window = window
        self._table = window.table
        self._running = False
        self._progress: QProgressDialog | None = None

        def make(text: str, keys: Sequence[str], slot: Callable[[], None], name: str) -> QAction:
            action = QAction(text, self._table)
            action.setObjectName(name)
            action.setShortcuts(with_persian_twins(keys))  # "A" and "ش", the same key
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
            self._table.addAction(action)
            return action

        self.assign_to_me = make(
            QCoreApplication.translate("TicketActions", "Assign to me"),
            ["A"],
            self.on_assign_to_me,
            "assignToMe",
        )
        self.refer = make(
            QCoreApplication.translate("TicketActions", "Refer to a colleague…"),
            ["R"],
            self.on_refer,
            "refer",
        )
        self.stage = make(
            QCoreApplication.translate("TicketActions", "Change stage…"),
            ["S"],
            self.on_stage,
            "changeStage",
        )
        self.follow = make(
            QCoreApplication.translate("TicketActions", "Follow"), ["F"], self.on_follow, "follow"
        )
        self.unfollow = make(
            QCoreApplication.translate("TicketActions", "Unfollow"),
            ["Shift+F"],
            self.on_unfollow,
            "unfollow",
        )
        self.close = make(
            QCoreApplication.translate("TicketActions", "Close"), ["C"], self.on_close, "close"
        )
        self.reopen = make(
            QCoreApplication.translate("TicketActions", "Reopen"), ["O"], self.on_reopen, "reopen"
        )
        self.archive = make(
            QCoreApplication.translate("TicketActions", "Archive"),
            ["E", "Del"],
            self.on_archive,
            "archive",
        )
        self.restore = make(
            QCoreApplication.translate("TicketActions", "Restore from archive"),
            ["Shift+E"],
            self.on_restore,
            "restore",
        )
        self.customer_file = make(
            QCoreApplication.translate("TicketActions", "Customer file"),
            ["U"],
            self.on_customer_file,
            "customerFile",
        )
        self.convert_lead = make(
            QCoreApplication.translate("TicketActions", "Convert to lead…"),
            [],
            self.on_convert_lead,
            "convertToLead",
        )  # O7: one ticket at a time, from the context menu (not a toolbar button)
        self.all_actions = [
            self.assign_to_me,
            self.refer,
            self.stage,
            self.follow,
            self.unfollow,
            self.close,
            self.reopen,
            self.archive,
            self.restore,
            self.customer_file,
        ]
        for action in self.all_actions:
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{action.text().rstrip('…')} ({keys})")

        self.toolbar = QToolBar(
            QCoreApplication.translate("TicketActions", "Ticket actions"), window
        )
        self.toolbar.setObjectName("ticketActions")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in self.all_actions:
            if action is self.unfollow or action is self.restore:
                continue
            self.toolbar.addAction(action)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

        self._table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._table.customContextMenuRequested.connect(self.show_context_menu)
        selection = self._table.selectionModel()
        selection.selectionChanged.connect(self.update_enabled)
        window.model.modelReset.connect(self.update_enabled)
        self.update_enabled()
        from desktop.views.merge_dialog import MergeActions

        self.merge_actions = MergeActions(context, window, self)  # O6: merge, duplicates, undo

    # --- selection --------------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        """The selected tickets in table order."""
        model = self._window.model
        rows = sorted({i.row() for i in self._table.selectionModel().selectedRows()})
        return [model.ticket_id(r) for r in rows if 0 <= r < model.rowCount()]

    def select_rows(self, rows: Sequence[int]) -> None:
        """Select these rows, the first one current (QTableView.selectRow picks no column
        under right-to-left at some widths, so the selection model is driven directly)."""
        model = self._window.model
        selection = self._table.selectionModel()
        selection.clearSelection()
        rows = [r for r in rows if 0 <= r < model.rowCount()]
        if not rows:
            return
        flags = selection.SelectionFlag
        selection.setCurrentIndex(model.index(rows[0], 1), flags.NoUpdate)
        for row in rows:
            selection.select(model.index(row, 0), flags.Select | flags.Rows)

    def select_ids(self, ticket_ids: Sequence[str]) -> None:
        """Select these tickets where the queue shows them."""
        model = self._window.model
        wanted = set(ticket_ids)
        self.select_rows([r for r in range(model.rowCount()) if model.ticket_id(r) in wanted])

    def _briefs(self, ids: Sequence[str]) -> list[TicketBrief]:
        with self._context.runner.session_factory() as session:
            return briefs(session, ids[:BRIEF_LIMIT], self._context.user_id)

    @Slot()
    def update_enabled(self) -> None:
        """Enable what makes sense for the selection (a big one enables everything)."""
        ids = self.selected_ids()
        for action in self.all_actions:
            action.setEnabled(bool(ids) and not self._running)
        self.convert_lead.setEnabled(False)
        if not ids or self._running:
            return
        signed_in = self._context.user_id is not None
        self.assign_to_me.setEnabled(signed_in)
        self.follow.setEnabled(signed_in)
        self.unfollow.setEnabled(signed_in)
        self.customer_file.setEnabled(len(ids) == 1)
        if len(ids) > BRIEF_LIMIT:
            return
        found = self._briefs(ids)
        self.close.setEnabled(any(not b.closed for b in found))
        self.reopen.setEnabled(any(b.closed for b in found))
        self.archive.setEnabled(any(not b.archived for b in found))
        self.restore.setEnabled(any(b.archived for b in found))
        self.stage.setEnabled(any(b.team_id is not None for b in found))
        if signed_in:
            self.follow.setEnabled(any(not b.following for b in found))
            self.unfollow.setEnabled(any(b.following for b in found))
        self.customer_file.setEnabled(
            len(found) == 1 and (found[0].contact_id or found[0].account_id) is not None
        )
        self.convert_lead.setEnabled(len(found) == 1 and not found[0].archived)

    @Slot(QPoint)
    def show_context_menu(self, pos: QPoint) -> None:
        index = self._table.indexAt(pos)
        if index.isValid() and not self._table.selectionModel().isRowSelected(index.row()):
            self.select_rows([index.row()])
        if not self.selected_ids():
            return
        menu = self.context_menu()
        menu.popup(self._table.viewport().mapToGlobal(pos))

    def context_menu(self) -> QMenu:
        """The table's context menu for the current selection (shown by right-click)."""
        self.update_enabled()
        menu = QMenu(self._table)
        menu.setObjectName("ticketContextMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for action in (self.assign_to_me, self.refer):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.stage)
        menu.addAction(self.close)
        menu.addAction(self.reopen)
        menu.addSeparator()
        menu.addAction(self.follow)
        menu.addAction(self.unfollow)
        menu.addSeparator()
        menu.addAction(self.archive)
        menu.addAction(self.restore)
        menu.addSeparator()
        menu.addAction(self.customer_file)
        menu.addAction(self.convert_lead)
        for action in menu.actions():
            action.setVisible(action.isSeparator() or action.isEnabled())
        self.merge_actions.add_to(menu)
        return menu

    # --- handlers ---------------------------------------------------------------------

    @Slot()
    def on_assign_to_me(self) -> None:
        me = self._context.user_id
        if me is None:
            return
        self.run(
            self.selected_ids(),
            partial(_assign, assignee_id=me),
            QCoreApplication.translate("TicketActions", "Assigned to you"),
        )

    @Slot()
    def on_refer(self) -> None:
        from desktop.views.assign_dialog import AssignDialog

        ids = self.selected_ids()
        if not ids:
            return
        found = self._briefs(ids)
        with self._context.runner.session_factory() as session:
            choices = teams(session)
        dialog = AssignDialog(self._context, found, choices, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            choice = dialog.choice()
            edit = partial(
                _assign,
                assignee_id=choice.assignee_id,
                team_id=choice.team_id if choice.team_id is not None else KEEP_TEAM,
                note=choice.note,
                author=self._context.user_id,
            )
            self.run(ids, edit, QCoreApplication.translate("TicketActions", "Referred"))

        dialog.accepted.connect(accepted)
        dialog.open()
        self.dialog = dialog

    @Slot()
    def on_stage(self) -> None:
        from desktop.views.stage_menu import StageMenu

        ids = self.selected_ids()
        found = self._briefs(ids)
        team_ids = sorted({b.team_id for b in found if b.team_id is not None})
        if not team_ids:
            return
        with self._context.runner.session_factory() as session:
            choices: list[TeamChoice] = teams(session, team_ids)
        menu = StageMenu(choices, {b.stage_id for b in found if b.stage_id}, self._table)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.stage_picked.connect(partial(self._set_stage, found))
        self.stage_menu = menu
        current = self._table.currentIndex()
        rect = self._table.visualRect(current) if current.isValid() else None
        anchor = rect.bottomLeft() if rect is not None else QPoint(0, 0)
        menu.popup(self._table.viewport().mapToGlobal(anchor))

    def _set_stage(self, found: list[TicketBrief], team_id: str, stage_id: str) -> None:
        ids = [b.id for b in found if b.team_id == team_id]
        skipped = len(found) - len(ids)
        message = QCoreApplication.translate("TicketActions", "Stage changed")
        if skipped:
            message += " " + QCoreApplication.translate(
                "TicketActions", "(%1 tickets of other teams left alone)"
            ).replace("%1", self._context.localization.formatter.number(skipped))
        self.run(ids, partial(_set_stage, stage_id=stage_id), message)

    @Slot()
    def on_follow(self) -> None:
        me = self._context.user_id
        if me is not None:
            self.run(
                self.selected_ids(),
                partial(_follow, user_id=me, on=True),
                QCoreApplication.translate("TicketActions", "Following"),
            )

    @Slot()
    def on_unfollow(self) -> None:
        me = self._context.user_id
        if me is not None:
            self.run(
                self.selected_ids(),
                partial(_follow, user_id=me, on=False),
                QCoreApplication.translate("TicketActions", "No longer following"),
            )

    @Slot()
    def on_close(self) -> None:
        self.run(
            self.selected_ids(),
            close_ticket_locally,
            QCoreApplication.translate("TicketActions", "Closed"),
        )

    @Slot()
    def on_reopen(self) -> None:
        self.run(
            self.selected_ids(),
            reopen_ticket_locally,
            QCoreApplication.translate("TicketActions", "Reopened"),
        )

    @Slot()
    def on_archive(self) -> None:
        self.run(
            self.selected_ids(),
            partial(_archive, archived=True),
            QCoreApplication.translate("TicketActions", "Archived"),
        )

    @Slot()
    def on_restore(self) -> None:
        self.run(
            self.selected_ids(),
            partial(_archive, archived=False),
            QCoreApplication.translate("TicketActions", "Restored from archive"),
        )

    @Slot()
    def on_customer_file(self) -> None:
        from desktop.views.customer_file import open_customer_file_for_ticket

        ids = self.selected_ids()
        if len(ids) == 1:
            self.file_dialog = open_customer_file_for_ticket(self._context, self._window, ids[0])

    @Slot()
    def on_convert_lead(self) -> None:
        from desktop.views.lead_dialog import open_lead_dialog

        ids = self.selected_ids()
        if len(ids) == 1:
            self.lead_dialog = open_lead_dialog(self._context, self._window, ids[0])
            self.lead_dialog.converted.connect(lambda _lead: self._finish(ids))

    # --- running edits ----------------------------------------------------------------

    def run(self, ids: Sequence[str], edit: Edit, done_text: str) -> None:
        """Apply `edit` to each ticket on the DB worker, a chunk per job, then refresh."""
        ids = list(ids)
        if not ids or self._running:
            return
        self._running = True
        self.update_enabled()
        total = len(ids)
        result = BulkResult()
        if total >= PROGRESS_FROM:
            progress = QProgressDialog(
                QCoreApplication.translate("TicketActions", "Updating %1 tickets…").replace(
                    "%1", self._context.localization.formatter.number(total)
                ),
                QCoreApplication.translate("TicketActions", "Stop"),
                0,
                total,
                self._window,
            )
            progress.setObjectName("bulkProgress")
            progress.setWindowModality(Qt.WindowModality.WindowModal)
            progress.setMinimumDuration(0)
            progress.setValue(0)
            self._progress = progress

        def next_chunk(start: int) -> None:
            progress = self._progress
            if start >= total or (progress is not None and progress.wasCanceled()):
                self._done(ids, result, done_text)
                return
            chunk = ids[start : start + CHUNK]

            def landed(part: BulkResult) -> None:
                result.merge(part)
                if self._progress is not None:
                    self._progress.setValue(min(total, start + len(chunk)))
                next_chunk(start + CHUNK)

            self._context.runner.submit(
                lambda session: apply_to_each(session, chunk, edit),
                landed,
                on_error=lambda exc: self._failed(ids, result, exc),
            )

        next_chunk(0)

    def _failed(self, ids: list[str], result: BulkResult, exc: BaseException) -> None:
        self._finish(ids)
        QMessageBox.warning(
            self._window,
            QCoreApplication.translate("TicketActions", "Could not save"),
            QCoreApplication.translate(
                "TicketActions", "The change could not be saved in the local cache:\n%1"
            ).replace("%1", str(exc)),
        )

    def _finish(self, ids: list[str]) -> None:
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None
        self._running = False
        self._reload_keeping(ids)
        self._window.refresh_counts()
        sync_poke(self._context)

    def _done(self, ids: list[str], result: BulkResult, done_text: str) -> None:
        self._finish(ids)
        formatter = self._context.localization.formatter
        count = formatter.number(len(result.changed))
        self._window.statusBar().showMessage(
            QCoreApplication.translate("TicketActions", "%1: %2 tickets")
            .replace("%1", done_text)
            .replace("%2", count),
            6000,
        )
        if result.failed:
            lines = [
                f"{self._label(ticket_id)}: {error_text(exc)}"
                for ticket_id, exc in list(result.failed.items())[:20]
            ]
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                QCoreApplication.translate("TicketActions", "Some tickets were not changed"),
                QCoreApplication.translate(
                    "TicketActions", "%1 tickets could not be changed:"
                ).replace("%1", formatter.number(len(result.failed)))
                + "\n"
                + "\n".join(lines),
                QMessageBox.StandardButton.Ok,
                self._window,
            )
            box.setObjectName("bulkErrors")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
        self.finished.emit(result)

    def _label(self, ticket_id: str) -> str:
        found = self._briefs([ticket_id])
        if found and found[0].number is not None:
            return "#" + self._context.localization.formatter.number(found[0].number)
        return found[0].title if found else ticket_id

    def _reload_keeping(self, ids: list[str]) -> None:
        """Reload the queue; keep the edited tickets selected, or, when they left the
        queue, select the row that took the current one's place (triage goes on)."""
        table = self._table
        model = self._window.model
        current_row = table.currentIndex().row()
        model.reload()
        wanted = set(ids)
        rows = [r for r in range(model.rowCount()) if model.ticket_id(r) in wanted]
        if not rows and model.rowCount():
            rows = [min(max(current_row, 0), model.rowCount() - 1)]
        self.select_rows(rows)
        table.scrollTo(table.currentIndex(), QAbstractItemView.ScrollHint.EnsureVisible)
        self.update_enabled()


# --- the edits, one ticket each (run on the DB worker) ---------------------------------


def _assign(
    session: Session,
    ticket_id: str,
    *,
    assignee_id: str | None,
    team_id: object = KEEP_TEAM,
    note: str = "",
    author: str | None = None,
) -> object:
    return assign_ticket_locally(
        session,
        ticket_id,
        assignee_id=assignee_id,
        team_id=team_id,  # type: ignore[arg-type]
        note=note,
        author_user_id=author,
    ) or bool(note.strip())


def _set_stage(session: Session, ticket_id: str, *, stage_id: str) -> object:
    return set_stage_locally(session, ticket_id, stage_id)


def _follow(session: Session, ticket_id: str, *, user_id: str, on: bool) -> object:
    return follow_ticket_locally(session, ticket_id, user_id, follow=on)


def _archive(session: Session, ticket_id: str, *, archived: bool) -> object:
    return archive_ticket_locally(session, ticket_id, archived=archived)
