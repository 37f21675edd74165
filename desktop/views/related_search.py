"""Search a contact or account as the agent types (P2, O7): one mechanism for the ticket
form's "related to" field and the lead dialog's customer search.

Typing pauses SEARCH_DELAY_MS before the cache is searched (on the DB worker, through
RelatedSuggestions); the answer for the text still in the field opens the completer's
popup, and choosing a row emits `picked` with the contact or account.

    search = RelatedSearch(runner, line_edit, parent_widget, popup_name="customerSuggestions")
    search.picked.connect(...)   # a core.ticket_form.Related
"""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QCompleter, QLineEdit, QListView, QWidget

from core.ticket_form import Related
from desktop.models.ticket_form_model import RelatedRole, RelatedSuggestions
from desktop.runner import DbRunner

SEARCH_DELAY_MS = 200
"""Typing pauses this long before the search runs."""


class RelatedSearch(QObject):
    """Owns the debounce timer, the suggestions model and the completer for `edit`."""

    picked = Signal(object)
    """The agent chose a suggestion (a core.ticket_form.Related)."""

    def __init__(
        self,
        runner: DbRunner,
        edit: QLineEdit,
        parent: QWidget,
        *,
        popup_name: str = "",
    ) -> None:
        super().__init__(parent)
        self.edit = edit
        self.suggestions = RelatedSuggestions(runner, self)
        self.completer = QCompleter(self.suggestions, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setWidget(edit)
        popup = QListView()
        if popup_name:
            popup.setObjectName(popup_name)
        popup.setLayoutDirection(parent.layoutDirection())
        self.completer.setPopup(popup)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)

        edit.textEdited.connect(self._edited)
        self.timer.timeout.connect(self._run)
        self.suggestions.searched.connect(self._arrived)
        cast(Any, self.completer.activated)[QModelIndex].connect(self._chosen)

    @Slot(str)
    def _edited(self, _text: str) -> None:
        self.timer.start()

    @Slot()
    def _run(self) -> None:
        text = self.edit.text().strip()
        if text:
            self.suggestions.search(text)
        else:
            self.suggestions.clear()

    @Slot(str)
    def _arrived(self, text: str) -> None:
        if text == self.edit.text().strip() and self.suggestions.rowCount() > 0:
            self.completer.complete()

    @Slot(QModelIndex)
    def _chosen(self, index: QModelIndex) -> None:
        related = index.data(RelatedRole)
        if isinstance(related, Related):
            self.picked.emit(related)
