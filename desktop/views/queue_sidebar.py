"""The sidebar of queues (D2, C3): one line per queue with its ticket count."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from core.queues import QueueKind
from desktop.formatting import Formatter
from desktop.translate import QT_TRANSLATE_NOOP

_CTX = "QueueSidebarView"
KIND_ROLE = Qt.ItemDataRole.UserRole + 1
"""The QueueKind value of a sidebar line."""

QUEUE_LABELS: dict[QueueKind, str] = {
    QueueKind.MINE: QT_TRANSLATE_NOOP("QueueSidebarView", "My tickets"),
    QueueKind.UNASSIGNED: QT_TRANSLATE_NOOP("QueueSidebarView", "Unassigned"),
    QueueKind.MY_TEAMS: QT_TRANSLATE_NOOP("QueueSidebarView", "My teams"),
    QueueKind.FOLLOWED: QT_TRANSLATE_NOOP("QueueSidebarView", "Followed"),
    QueueKind.ALL_OPEN: QT_TRANSLATE_NOOP("QueueSidebarView", "All open"),
    QueueKind.ALL: QT_TRANSLATE_NOOP("QueueSidebarView", "All tickets"),
    QueueKind.ARCHIVED: QT_TRANSLATE_NOOP("QueueSidebarView", "Archived"),
    QueueKind.UNSYNCED: QT_TRANSLATE_NOOP("QueueSidebarView", "Not yet synced"),
}


class QueueSidebarView(QListWidget):
    """Lists the queues; selecting one asks the window to show it."""

    queue_selected = Signal(str)
    """The agent picked the queue of this QueueKind value."""

    def __init__(self, formatter: Formatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._formatter = formatter
        self._counts: dict[QueueKind, int] = {}
        self.setObjectName("queueSidebar")
        self.setUniformItemSizes(True)
        for kind in QUEUE_LABELS:
            item = QListWidgetItem()
            item.setData(KIND_ROLE, kind.value)
            self.addItem(item)
        self._relabel()
        self.currentItemChanged.connect(self._on_current_changed)

    def set_counts(self, counts: dict[QueueKind, int]) -> None:
        """Show these ticket counts beside the queue names."""
        self._counts = dict(counts)
        self._relabel()

    def select(self, kind: QueueKind) -> None:
        for row in range(self.count()):
            if self.item(row).data(KIND_ROLE) == kind.value:
                self.setCurrentRow(row)
                return

    def current_kind(self) -> QueueKind | None:
        item = self.currentItem()
        return QueueKind(item.data(KIND_ROLE)) if item is not None else None

    def label(self, kind: QueueKind) -> str:
        for row in range(self.count()):
            if self.item(row).data(KIND_ROLE) == kind.value:
                return self.item(row).text()
        return ""

    def _relabel(self) -> None:
        for row in range(self.count()):
            item = self.item(row)
            kind = QueueKind(item.data(KIND_ROLE))
            name = QCoreApplication.translate(_CTX, QUEUE_LABELS[kind])
            count = self._counts.get(kind)
            item.setText(name if count is None else f"{name}  ({self._formatter.number(count)})")

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_current_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if current is not None:
            self.queue_selected.emit(current.data(KIND_ROLE))
