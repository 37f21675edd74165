"""The composer under a conversation (D4, S6, E2, S8): reply or internal note, canned
replies with placeholders filled, knowledge-base search and insert, attachments, and a
draft saved as typed (issue 5 item 7). It holds no rules: saving, the stale-reply check
and sending are core.drafts functions run on the DB worker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from core.drafts import DraftData, save_draft
from core.enums import MessageKind
from core.replies import (
    CannedChoice,
    KbHit,
    canned_replies,
    fill_placeholders,
    kb_insert_text,
    placeholder_values,
    search_kb,
)
from desktop.runner import DbRunner

DRAFT_DELAY_MS = 500
KB_SEARCH_DELAY_MS = 200
NOTE_STYLE = "QTextEdit { background: #fff3d1; border: 1px solid #e0a800; }"
REPLY_STYLE = "QTextEdit { background: #ffffff; border: 1px solid #9bbcf0; }"


def _ignore(_result: object) -> None:
    """The answer to a save made while closing: the widget may be gone by then."""


class KbSearchDialog(QDialog):
    """Search the knowledge base (S8, Persian-aware) and pick an article to insert."""

    def __init__(self, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Insert from the knowledge base"))
        self.setObjectName("kbSearchDialog")
        self._runner = runner
        self._generation = 0
        self.search_box = QLineEdit()
        self.search_box.setObjectName("kbSearchBox")
        self.search_box.setPlaceholderText(self.tr("Search articles"))
        self.results = QListWidget()
        self.results.setObjectName("kbResults")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.insert_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.insert_button.setText(self.tr("Insert"))
        self.insert_button.setEnabled(False)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_box)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(KB_SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search)
        self.search_box.textChanged.connect(self._timer.start)
        self.results.currentItemChanged.connect(self._show_summary)
        self.results.itemDoubleClicked.connect(lambda _item: self.accept())
        self.resize(460, 380)
        self.search()

    @Slot()
    def search(self) -> None:
        """Run the typed query on the DB worker; an older answer is dropped."""
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        query = self.search_box.text()

        def work(session: Session) -> tuple[int, list[KbHit]]:
            return generation, search_kb(session, query)

        self._runner.submit(work, self._arrived)

    def _arrived(self, result: tuple[int, list[KbHit]]) -> None:
        generation, hits = result
        if generation != self._generation:
            return
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem(hit.title)
            item.setData(Qt.ItemDataRole.UserRole, hit)
            self.results.addItem(item)
        if hits:
            self.results.setCurrentRow(0)
        else:
            self.summary.setText(self.tr("No article matches."))
        self.insert_button.setEnabled(bool(hits))

    @Slot(QListWidgetItem, QListWidgetItem)
    def _show_summary(self, item: QListWidgetItem | None, _old: QListWidgetItem | None) -> None:
        hit = self.chosen_hit(item)
        self.summary.setText(hit.summary if hit else "")

    def chosen_hit(self, item: QListWidgetItem | None = None) -> KbHit | None:
        chosen: QListWidgetItem | None = item or self.results.currentItem()
        hit: object = chosen.data(Qt.ItemDataRole.UserRole) if chosen else None
        return hit if isinstance(hit, KbHit) else None

    def busy(self) -> bool:
        return self._timer.isActive() or self._runner.busy()


class Composer(QWidget):
    """Reply / internal note editor with canned replies, KB insert, attachments and a draft
    saved ~500 ms after the last keystroke (and at once by `flush_draft`)."""

    send_requested = Signal(object, str, object)
    """The agent pressed send: kind (MessageKind), text, files (list[Path])."""
    draft_saved = Signal()
    """The draft reached the cache (tests wait on this)."""

    def __init__(
        self,
        runner: DbRunner,
        ticket_id: str,
        user_id: str | None,
        *,
        pending_label: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self._runner = runner
        self.ticket_id = ticket_id
        self._user_id = user_id
        self._pending_label = pending_label
        self.seen_message_ids: frozenset[str] = frozenset()
        """What the agent saw when this draft started (the guard's baseline)."""
        self._restoring = False
        self._dirty = False
        self.files: list[Path] = []
        self._canned: list[CannedChoice] = []

        top = self._build_top()
        bottom = self._build_bottom()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.editor, 1)
        layout.addLayout(bottom)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.flush_draft)
        self.editor.textChanged.connect(self._typed)
        self._modes.buttonToggled.connect(self._mode_changed)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.editor)
            shortcut.activated.connect(self.request_send)

        self._show_mode()
        self._show_files()
        self._load_canned()

    def _build_top(self) -> QHBoxLayout:
        self.reply_button = QRadioButton(self.tr("Reply to customer"))
        self.reply_button.setObjectName("replyMode")
        self.note_button = QRadioButton(self.tr("Internal note"))
        self.note_button.setObjectName("noteMode")
        self.reply_button.setChecked(True)
        self._modes = QButtonGroup(self)
        self._modes.addButton(self.reply_button)
        self._modes.addButton(self.note_button)
        self.mode_hint = QLabel()
        self.mode_hint.setObjectName("modeHint")

        self.canned_box = QComboBox()
        self.canned_box.setObjectName("cannedReplies")
        self.canned_box.setMinimumContentsLength(14)
        self.canned_box.addItem(self.tr("Canned reply…"))
        self.canned_box.activated.connect(self._canned_chosen)
        self.kb_button = QPushButton(self.tr("Knowledge base…"))
        self.kb_button.setObjectName("kbButton")
        self.kb_button.clicked.connect(self.open_kb_search)
        self.attach_button = QPushButton(self.tr("Attach file…"))
        self.attach_button.setObjectName("attachButton")
        self.attach_button.clicked.connect(self._choose_files)

        top = QHBoxLayout()
        top.addWidget(self.reply_button)
        top.addWidget(self.note_button)
        top.addWidget(self.mode_hint, 1)
        top.addWidget(self.canned_box)
        top.addWidget(self.kb_button)
        top.addWidget(self.attach_button)

        return top

    def _build_bottom(self) -> QHBoxLayout:
        self.editor = QTextEdit()
        self.editor.setObjectName("composerEditor")
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(90)
        # plain text only; a QTextEdit (not QPlainTextEdit) because its layout gives each
        # paragraph the direction of its first strong letter and aligns it that way
        self.editor.setAcceptRichText(False)

        self.files_label = QLabel()
        self.files_label.setObjectName("composerFiles")
        self.files_label.setWordWrap(True)
        self.clear_files_button = QPushButton(self.tr("Remove files"))
        self.clear_files_button.clicked.connect(self.clear_files)
        self.draft_label = QLabel()
        self.draft_label.setObjectName("draftState")
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.send_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        self.send_button.clicked.connect(self.request_send)

        bottom = QHBoxLayout()
        bottom.addWidget(self.files_label, 1)
        bottom.addWidget(self.clear_files_button)
        bottom.addWidget(self.draft_label)
        bottom.addWidget(self.send_button)

        return bottom

    # --- state ------------------------------------------------------------------------

    @property
    def kind(self) -> MessageKind:
        return (
            MessageKind.INTERNAL_NOTE if self.note_button.isChecked() else MessageKind.AGENT_REPLY
        )

    def set_kind(self, kind: MessageKind) -> None:
        (self.note_button if kind is MessageKind.INTERNAL_NOTE else self.reply_button).setChecked(
            True
        )

    def text(self) -> str:
        return self.editor.toPlainText()

    def restore(self, draft: DraftData | None, seen: frozenset[str]) -> None:
        """Show a saved draft (or start empty) without saving it again; the guard's
        baseline is the draft's when there is one, else what is on screen now."""
        self._restoring = True
        try:
            if draft is not None:
                self.editor.setPlainText(draft.body)
                self.editor.moveCursor(QTextCursor.MoveOperation.End)  # go on where they were
                self.set_kind(draft.kind)
                self.seen_message_ids = draft.seen_message_ids
                self.draft_label.setText(self.tr("Draft restored"))
            else:
                self.seen_message_ids = seen
        finally:
            self._restoring = False
        self._dirty = False

    def cleared_after_send(self, seen: frozenset[str]) -> None:
        """The message went out: empty editor, no files, a fresh baseline."""
        self._restoring = True
        try:
            self.editor.clear()
            self.files = []
            self._show_files()
        finally:
            self._restoring = False
        self._dirty = False
        self._draft_timer.stop()
        self.seen_message_ids = seen
        self.draft_label.setText("")

    # --- draft ------------------------------------------------------------------------

    @Slot()
    def _typed(self) -> None:
        if self._restoring:
            return
        self._dirty = True
        self._draft_timer.start()

    @Slot()
    def flush_draft(self, *, closing: bool = False) -> None:
        """Save the draft now if anything changed since the last save; `closing` when the
        widget is going away (the answer then touches no widget)."""
        self._draft_timer.stop()
        if not self._dirty:
            return
        self._dirty = False
        ticket_id, body, kind = self.ticket_id, self.text(), self.kind
        user_id, seen = self._user_id, self.seen_message_ids

        def work(session: Session) -> DraftData | None:
            return save_draft(
                session, ticket_id, body=body, kind=kind, user_id=user_id, seen_message_ids=seen
            )

        self._runner.submit(work, _ignore if closing else self._draft_stored)

    def _draft_stored(self, draft: DraftData | None) -> None:
        self.draft_label.setText(self.tr("Draft saved") if draft is not None else "")
        self.draft_saved.emit()

    def draft_pending(self) -> bool:
        """Typed text not yet handed to the DB worker."""
        return self._dirty

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.flush_draft(closing=True)
        super().closeEvent(event)

    # --- mode -------------------------------------------------------------------------

    @Slot()
    def _mode_changed(self) -> None:
        self._show_mode()
        if not self._restoring and self.text().strip():
            self._dirty = True
            self._draft_timer.start()

    def _show_mode(self) -> None:
        if self.kind is MessageKind.INTERNAL_NOTE:
            self.editor.setStyleSheet(NOTE_STYLE)
            self.editor.setPlaceholderText(self.tr("Internal note: only staff see it"))
            self.mode_hint.setText(self.tr("Staff only"))
            self.send_button.setText(self.tr("Add note"))
        else:
            self.editor.setStyleSheet(REPLY_STYLE)
            self.editor.setPlaceholderText(self.tr("Reply to the customer"))
            self.mode_hint.setText("")
            self.send_button.setText(self.tr("Send"))

    # --- canned replies (E2) ----------------------------------------------------------

    def _load_canned(self) -> None:
        user_id = self._user_id

        def work(session: Session) -> list[CannedChoice]:
            return canned_replies(session, user_id)

        self._runner.submit(work, self._canned_arrived)

    def _canned_arrived(self, choices: list[CannedChoice]) -> None:
        self._canned = choices
        self.canned_box.blockSignals(True)
        while self.canned_box.count() > 1:
            self.canned_box.removeItem(1)
        for choice in choices:
            label = f"{choice.title} ({choice.shortcut})" if choice.shortcut else choice.title
            self.canned_box.addItem(label, choice.id)
        self.canned_box.blockSignals(False)

    @Slot(int)
    def _canned_chosen(self, index: int) -> None:
        if index <= 0:
            return
        self.insert_canned(str(self.canned_box.itemData(index)))
        self.canned_box.setCurrentIndex(0)

    def insert_canned(self, canned_id: str, on_done: Callable[[], None] | None = None) -> None:
        """Insert the canned reply at the cursor with its placeholders filled."""
        choice = next((c for c in self._canned if c.id == canned_id), None)
        if choice is None:
            return
        ticket_id, user_id, pending = self.ticket_id, self._user_id, self._pending_label

        def work(session: Session) -> dict[str, str]:
            return placeholder_values(session, ticket_id, user_id, pending=pending)

        def done(values: dict[str, str]) -> None:
            self.insert_text(fill_placeholders(choice.body, values))
            if on_done is not None:
                on_done()

        self._runner.submit(work, done)

    def insert_text(self, text: str) -> None:
        cursor = self.editor.textCursor()
        cursor.insertText(text)
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()

    # --- knowledge base (S8) ----------------------------------------------------------

    def make_kb_dialog(self) -> KbSearchDialog:
        dialog = KbSearchDialog(self._runner, self)
        dialog.accepted.connect(lambda: self._kb_chosen(dialog))
        return dialog

    @Slot()
    def open_kb_search(self) -> None:
        dialog = self.make_kb_dialog()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _kb_chosen(self, dialog: KbSearchDialog) -> None:
        hit = dialog.chosen_hit()
        if hit is not None:
            self.insert_text(kb_insert_text(hit, reference=self.tr("Knowledge base article")))

    # --- attachments ------------------------------------------------------------------

    @Slot()
    def _choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, self.tr("Attach files"))
        self.add_files([Path(n) for n in names])

    def add_files(self, paths: list[Path]) -> None:
        self.files.extend(p for p in paths if p not in self.files)
        self._show_files()

    @Slot()
    def clear_files(self) -> None:
        self.files = []
        self._show_files()

    def _show_files(self) -> None:
        self.files_label.setText("، ".join(p.name for p in self.files))
        self.clear_files_button.setVisible(bool(self.files))

    # --- send -------------------------------------------------------------------------

    @Slot()
    def request_send(self) -> None:
        self.send_requested.emit(self.kind, self.text(), list(self.files))
