"""Settings > Canned replies (E2) and Knowledge base (S8): a list of records beside a
form; "New" starts an empty one, "Save" creates it or sends what changed, "Delete" (asked
first) removes it on the server."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.context import WindowContext
from desktop.models.settings_data import CannedRow, KbRow, SettingsData
from desktop.views.settings_common import SettingsPage
from sync.client.admin_api import AdminApi

ID_ROLE = Qt.ItemDataRole.UserRole


class RecordsPage(SettingsPage):
    """A list of one kind of record and its form; subclasses say which fields."""

    collection = ""

    def __init__(self, context: WindowContext, api: AdminApi | None) -> None:
        super().__init__(context, api)
        self.record_list = QListWidget()
        self.record_list.setObjectName("recordList")
        self.record_list.currentRowChanged.connect(self._show_record)
        self.form = QFormLayout()
        self.new_button = QPushButton(QCoreApplication.translate("TextsPage", "New"))
        self.new_button.setObjectName("newRecord")
        self.new_button.clicked.connect(self.start_new)
        self.save_button = QPushButton(QCoreApplication.translate("TextsPage", "Save"))
        self.save_button.setObjectName("saveRecord")
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton(QCoreApplication.translate("TextsPage", "Delete"))
        self.delete_button.setObjectName("deleteRecord")
        self.delete_button.clicked.connect(self.delete)
        self.editing_id: str | None = None
        self.build_form()
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        detail = QVBoxLayout()
        detail.addLayout(self.form)
        detail.addLayout(buttons)
        detail.addWidget(self.message)
        holder = QWidget()
        holder.setLayout(detail)
        layout = QHBoxLayout(self)
        layout.addWidget(self.record_list, 1)
        layout.addWidget(holder, 3)

    # --- what subclasses provide ------------------------------------------------------

    def build_form(self) -> None:
        raise NotImplementedError

    def rows(self) -> list[Any]:
        raise NotImplementedError

    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def show_row(self, row: Any | None) -> None:
        raise NotImplementedError

    def row_values(self, row: Any) -> dict[str, Any]:
        raise NotImplementedError

    # --- shared ---------------------------------------------------------------------

    def add_field(self, key: str, label: str, widget: QWidget) -> None:
        widget.setObjectName(f"field_{key}")
        self.fields[key] = widget
        self.form.addRow(label, widget)
        self.form.addRow("", self.error_label(key))

    def populate(self, data: SettingsData) -> None:
        super().populate(data)
        keep = self.editing_id
        self.record_list.blockSignals(True)
        self.record_list.clear()
        for row in self.rows():
            item = QListWidgetItem(row.title)
            item.setData(ID_ROLE, row.id)
            self.record_list.addItem(item)
        self.record_list.blockSignals(False)
        editable = self.editable()
        for widget in (
            *self.fields.values(),
            self.new_button,
            self.save_button,
            self.delete_button,
        ):
            widget.setEnabled(editable)
        ids = [r.id for r in self.rows()]
        if keep in ids:
            self.record_list.setCurrentRow(ids.index(keep))
        elif keep is None and self.record_list.count() and not self._typing_new():
            self.record_list.setCurrentRow(0)

    def _typing_new(self) -> bool:
        return self.editing_id is None and any(self.values().values())

    def _show_record(self, index: int) -> None:
        rows = self.rows()
        row = rows[index] if 0 <= index < len(rows) else None
        self.editing_id = row.id if row is not None else None
        self.clear_errors()
        self.show_row(row)

    def start_new(self) -> None:
        self.record_list.blockSignals(True)
        self.record_list.clearSelection()
        self.record_list.setCurrentRow(-1)
        self.record_list.blockSignals(False)
        self.editing_id = None
        self.clear_errors()
        self.show_row(None)

    def save(self) -> None:
        values = self.values()
        row_id = self.editing_id
        if row_id is None:

            def created(result: Any) -> None:
                self.editing_id = str(result["id"])

            self.call(lambda api: api.create(self.collection, values), created)
            return
        before = next((self.row_values(r) for r in self.rows() if r.id == row_id), {})
        changes = {k: v for k, v in values.items() if before.get(k) != v}
        if changes:
            self.call(lambda api: api.update(self.collection, row_id, changes))

    def delete(self) -> None:
        """Asked first; the server's refusal is shown and the record stays listed."""
        row = next((r for r in self.rows() if r.id == self.editing_id), None)
        if row is None:
            return
        row_id = str(row.id)

        def gone(_result: Any) -> None:
            if self.editing_id == row_id:
                self.editing_id = None

        self.confirm(
            QCoreApplication.translate("TextsPage", "Delete %1? This cannot be undone.").replace(
                "%1", row.title
            ),
            QCoreApplication.translate("TextsPage", "Delete"),
            lambda: self.call(lambda api: api.delete(self.collection, row_id), gone),
        )


class CannedPage(RecordsPage):
    """E2: replies agents insert in the composer; a team's, or everyone's."""

    collection = "canned-replies"

    def build_form(self) -> None:
        self.title = QLineEdit()
        self.shortcut = QLineEdit()
        self.team = QComboBox()
        self.body = QPlainTextEdit()
        self.add_field("title", QCoreApplication.translate("TextsPage", "Title"), self.title)
        self.add_field(
            "shortcut", QCoreApplication.translate("TextsPage", "Shortcut"), self.shortcut
        )
        self.add_field("team_id", QCoreApplication.translate("TextsPage", "Team"), self.team)
        self.add_field("body", QCoreApplication.translate("TextsPage", "Text"), self.body)

    def rows(self) -> list[CannedRow]:
        return [] if self.data is None else self.data.canned

    def populate(self, data: SettingsData) -> None:
        current = self.team.currentData()
        self.team.clear()
        self.team.addItem(QCoreApplication.translate("TextsPage", "Every team"), None)
        for team in data.teams:
            self.team.addItem(team.name, team.id)
        self.team.setCurrentIndex(max(0, self.team.findData(current)))
        super().populate(data)

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.text(),
            "shortcut": self.shortcut.text() or None,
            "team_id": self.team.currentData(),
            "body": self.body.toPlainText(),
        }

    def row_values(self, row: CannedRow) -> dict[str, Any]:
        return {
            "title": row.title,
            "shortcut": row.shortcut or None,
            "team_id": row.team_id,
            "body": row.body,
        }

    def show_row(self, row: CannedRow | None) -> None:
        self.title.setText(row.title if row else "")
        self.shortcut.setText(row.shortcut if row else "")
        self.team.setCurrentIndex(max(0, self.team.findData(row.team_id if row else None)))
        self.body.setPlainText(row.body if row else "")


class KbPage(RecordsPage):
    """S8: articles agents insert as links in replies."""

    collection = "kb-articles"

    def build_form(self) -> None:
        self.title = QLineEdit()
        self.keywords = QLineEdit()
        self.published = QCheckBox(QCoreApplication.translate("TextsPage", "Published"))
        self.body = QPlainTextEdit()
        self.add_field("title", QCoreApplication.translate("TextsPage", "Title"), self.title)
        self.add_field(
            "keywords", QCoreApplication.translate("TextsPage", "Keywords"), self.keywords
        )
        self.add_field("published", "", self.published)
        self.add_field("body", QCoreApplication.translate("TextsPage", "Text"), self.body)

    def rows(self) -> list[KbRow]:
        return [] if self.data is None else self.data.kb

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.text(),
            "keywords": self.keywords.text(),
            "published": self.published.isChecked(),
            "body": self.body.toPlainText(),
        }

    def _typing_new(self) -> bool:
        return self.editing_id is None and bool(self.title.text() or self.body.toPlainText())

    def row_values(self, row: KbRow) -> dict[str, Any]:
        return {
            "title": row.title,
            "keywords": row.keywords,
            "published": row.published,
            "body": row.body,
        }

    def show_row(self, row: KbRow | None) -> None:
        self.title.setText(row.title if row else "")
        self.keywords.setText(row.keywords if row else "")
        self.published.setChecked(row.published if row else True)
        self.body.setPlainText(row.body if row else "")
