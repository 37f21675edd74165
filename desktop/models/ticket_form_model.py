"""Small Qt adapters of the ticket form: the related-to suggestions (P2) as a list model
for a QCompleter, filled from core.ticket_form.search_related on the DB worker."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from sqlalchemy.orm import Session

from core.ticket_form import Related, RelatedKind, search_related
from desktop.runner import DbRunner

RelatedRole = Qt.ItemDataRole.UserRole + 1
"""The core.ticket_form.Related of a suggestion."""
CompletionRole = Qt.ItemDataRole.EditRole
"""What the completer matches against: the text as typed, so every suggestion shows."""

_Index = QModelIndex | QPersistentModelIndex


def related_text(related: Related) -> str:
    """One line for a suggestion or the picked value: "name — email (account)"."""
    parts = [related.name]
    if related.email:
        # LRI ... PDI isolates the address, so it reads left to right inside Persian
        parts.append(f"\u2066{related.email}\u2069")
    line = " — ".join(parts)
    if related.kind is RelatedKind.ACCOUNT:
        return QCoreApplication.translate("TicketForm", "%1 (account)").replace("%1", line)
    if related.account_name:
        return f"{line} ({related.account_name})"
    return line


class RelatedSuggestions(QAbstractListModel):
    """Suggestions for the typed text; each search carries a generation number and an
    answer for an older text is dropped, so a slow search never overwrites a newer one."""

    searched = Signal(str)
    """Suggestions for this text are in the model."""

    def __init__(self, runner: DbRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._rows: list[Related] = []
        self._generation = 0
        self._text = ""

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        related = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return related_text(related)
        if role == CompletionRole:
            return self._text
        if role == RelatedRole:
            return related
        return None

    def related_at(self, row: int) -> Related | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def search(self, text: str) -> None:
        """Look `text` up on the worker; the model changes when the answer comes."""
        self._generation += 1
        generation = self._generation
        self._text = text

        def work(session: Session) -> list[Related]:
            return search_related(session, text)

        def done(rows: list[Related]) -> None:
            if generation != self._generation:
                return  # a newer search is on its way
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()
            self.searched.emit(text)

        self._runner.submit(work, done)

    def clear(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self.endResetModel()
