"""Settings > Departments and subjects (C1) and Subtypes and custom fields (P3, P5): a list
of parents, the chosen one's form, and its children (subjects; custom fields with key,
kind, choices and whether required) to add, change or delete (asked first; the server
refuses a subject still on tickets)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.enums import FieldKind
from desktop.context import WindowContext
from desktop.models.settings_data import ChildRow, ParentRow, SettingsData
from desktop.translate import QT_TRANSLATE_NOOP
from desktop.views.settings_common import SettingsPage
from sync.client.admin_api import AdminApi

ID_ROLE = Qt.ItemDataRole.UserRole
KIND_LABELS: dict[str, str] = {
    FieldKind.TEXT: QT_TRANSLATE_NOOP("CatalogPage", "Text"),
    FieldKind.NUMBER: QT_TRANSLATE_NOOP("CatalogPage", "Number"),
    FieldKind.DATE: QT_TRANSLATE_NOOP("CatalogPage", "Date"),
    FieldKind.CHOICE: QT_TRANSLATE_NOOP("CatalogPage", "Choice"),
    FieldKind.BOOLEAN: QT_TRANSLATE_NOOP("CatalogPage", "Yes / no"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("CatalogPage", text)


def split_choices(text: str) -> list[str]:
    """Choices typed in one line, separated by Latin or Persian commas."""
    return [c.strip() for c in re.split(r"[,،]", text) if c.strip()]


class CatalogPage(SettingsPage):
    """Parents and their children; subclasses say which endpoints and child fields."""

    parents_path = ""
    child_rename: ClassVar[Mapping[str, str]] = {}
    """server field of a child -> this page's field (a child's "name" is not the parent's)"""

    def __init__(self, context: WindowContext, api: AdminApi | None) -> None:  # noqa: PLR0915 - one widget after another
        super().__init__(context, api)
        self.parent_list = QListWidget()
        self.parent_list.setObjectName("parentList")
        self.parent_list.currentRowChanged.connect(self._show_parent)
        self.name = QLineEdit()
        self.name.setObjectName("parentName")
        self.fields["name"] = self.name
        self.parent_form = QFormLayout()
        self.parent_form.addRow(QCoreApplication.translate("CatalogPage", "Name"), self.name)
        self.parent_form.addRow("", self.error_label("name"))
        self.new_button = QPushButton(QCoreApplication.translate("CatalogPage", "New"))
        self.new_button.setObjectName("newParent")
        self.new_button.clicked.connect(self.start_new)
        self.save_button = QPushButton(QCoreApplication.translate("CatalogPage", "Save"))
        self.save_button.setObjectName("saveParent")
        self.save_button.clicked.connect(self.save_parent)

        self.child_list = QListWidget()
        self.child_list.setObjectName("childList")
        self.child_list.setMaximumHeight(140)
        self.child_list.currentRowChanged.connect(self._show_child)
        self.child_name = QLineEdit()
        self.child_name.setObjectName("childName")
        self.fields["child_name"] = self.child_name
        self.child_form = QFormLayout()
        self.child_form.addRow(self.child_list)
        self.child_form.addRow(QCoreApplication.translate("CatalogPage", "Name"), self.child_name)
        self.child_form.addRow("", self.error_label("child_name"))
        self.add_child_button = QPushButton(QCoreApplication.translate("CatalogPage", "Add"))
        self.add_child_button.setObjectName("addChild")
        self.add_child_button.clicked.connect(self.add_child)
        self.save_child_button = QPushButton(
            QCoreApplication.translate("CatalogPage", "Save changes")
        )
        self.save_child_button.setObjectName("saveChild")
        self.save_child_button.clicked.connect(self.save_child)
        self.delete_child_button = QPushButton(QCoreApplication.translate("CatalogPage", "Delete"))
        self.delete_child_button.setObjectName("deleteChild")
        self.delete_child_button.clicked.connect(self.delete_child)
        self.children_box = QGroupBox()
        self.build()

        child_buttons = QHBoxLayout()
        child_buttons.addWidget(self.add_child_button)
        child_buttons.addWidget(self.delete_child_button)
        child_buttons.addStretch(1)
        child_buttons.addWidget(self.save_child_button)
        box_layout = QVBoxLayout(self.children_box)
        box_layout.addLayout(self.child_form)
        box_layout.addLayout(child_buttons)
        parent_buttons = QHBoxLayout()
        parent_buttons.addWidget(self.new_button)
        parent_buttons.addStretch(1)
        parent_buttons.addWidget(self.save_button)
        detail = QVBoxLayout()
        detail.addLayout(self.parent_form)
        detail.addLayout(parent_buttons)
        detail.addWidget(self.children_box)
        detail.addWidget(self.message)
        detail.addStretch(1)
        holder = QWidget()
        holder.setLayout(detail)
        layout = QHBoxLayout(self)
        layout.addWidget(self.parent_list, 1)
        layout.addWidget(holder, 3)
        self.editing_id: str | None = None

    # --- what subclasses provide ------------------------------------------------------

    def build(self) -> None:
        """Extra parent and child fields."""

    def parents(self) -> list[ParentRow]:
        raise NotImplementedError

    def parent_values(self) -> dict[str, Any]:
        return {"name": self.name.text()}

    def parent_before(self, row: ParentRow) -> dict[str, Any]:
        return {"name": row.name}

    def show_parent_extra(self, row: ParentRow | None) -> None:
        """Fill the extra parent fields."""

    def child_values(self) -> dict[str, Any]:
        raise NotImplementedError

    def child_before(self, row: ChildRow) -> dict[str, Any]:
        raise NotImplementedError

    def show_child_extra(self, row: ChildRow | None) -> None:
        """Fill the extra child fields."""

    def children_path(self, parent_id: str) -> str:
        raise NotImplementedError

    def child_path(self) -> str:
        raise NotImplementedError

    # --- shared -----------------------------------------------------------------------

    def populate(self, data: SettingsData) -> None:
        super().populate(data)
        keep = self.editing_id
        self.parent_list.blockSignals(True)
        self.parent_list.clear()
        for row in self.parents():
            item = QListWidgetItem(row.name)
            item.setData(ID_ROLE, row.id)
            self.parent_list.addItem(item)
        self.parent_list.blockSignals(False)
        for widget in self.findChildren(QWidget):
            if isinstance(widget, QLineEdit | QComboBox | QCheckBox | QPushButton):
                widget.setEnabled(self.editable())
        ids = [r.id for r in self.parents()]
        if keep in ids:
            self.parent_list.setCurrentRow(ids.index(keep))
        elif keep is None and ids and not self.name.text():
            self.parent_list.setCurrentRow(0)

    def current_parent(self) -> ParentRow | None:
        return next((r for r in self.parents() if r.id == self.editing_id), None)

    def select_parent(self, parent_id: str) -> None:
        self.parent_list.setCurrentRow([r.id for r in self.parents()].index(parent_id))

    def _show_parent(self, index: int) -> None:
        rows = self.parents()
        row = rows[index] if 0 <= index < len(rows) else None
        self.editing_id = row.id if row is not None else None
        self.clear_errors()
        self.name.setText(row.name if row else "")
        self.show_parent_extra(row)
        self.children_box.setEnabled(row is not None)
        self.child_list.blockSignals(True)
        self.child_list.clear()
        for child in row.children if row else []:
            item = QListWidgetItem(child.name)
            item.setData(ID_ROLE, child.id)
            self.child_list.addItem(item)
        self.child_list.blockSignals(False)
        self.child_list.setCurrentRow(-1)
        self._show_child(-1)

    def current_child(self) -> ChildRow | None:
        parent = self.current_parent()
        row = self.child_list.currentRow()
        if parent is None or not 0 <= row < len(parent.children):
            return None
        return parent.children[row]

    def _show_child(self, _index: int) -> None:
        child = self.current_child()
        self.child_name.setText(child.name if child else "")
        self.show_child_extra(child)

    def start_new(self) -> None:
        self.parent_list.blockSignals(True)
        self.parent_list.setCurrentRow(-1)
        self.parent_list.blockSignals(False)
        self._show_parent(-1)

    def save_parent(self) -> None:
        values = self.parent_values()
        parent = self.current_parent()
        if parent is None:

            def created(result: Any) -> None:
                self.editing_id = str(result["id"])

            self.call(lambda api: api.create(self.parents_path, values), created)
            return
        before = self.parent_before(parent)
        changes = {k: v for k, v in values.items() if before.get(k) != v}
        if changes:
            self.call(lambda api: api.update(self.parents_path, parent.id, changes))

    def add_child(self) -> None:
        parent = self.current_parent()
        if parent is None:
            return
        values = self.child_values()
        values["sequence"] = max((c.sequence for c in parent.children), default=0) + 10
        self._child_call(lambda api: api.create(self.children_path(parent.id), values))

    def save_child(self) -> None:
        child = self.current_child()
        if child is None:
            return
        before = self.child_before(child)
        changes = {k: v for k, v in self.child_values().items() if before.get(k) != v}
        changes.pop("key", None)  # a field's key is fixed once made (tickets hold values)
        if changes:
            self._child_call(lambda api: api.update(self.child_path(), child.id, changes))

    def delete_child(self) -> None:
        child = self.current_child()
        if child is None:
            return
        self.confirm(
            QCoreApplication.translate("CatalogPage", "Delete %1? This cannot be undone.").replace(
                "%1", child.name
            ),
            QCoreApplication.translate("CatalogPage", "Delete"),
            lambda: self._child_call(lambda api: api.delete(self.child_path(), child.id)),
        )

    def _child_call(self, work: Callable[[AdminApi], Awaitable[Any]]) -> None:
        self.call(work, rename=self.child_rename, in_use="child_name")


class DepartmentsPage(CatalogPage):
    """C1: departments (each may route to a team) and their subjects."""

    parents_path = "departments"
    child_rename: ClassVar[Mapping[str, str]] = {"name": "child_name"}

    def build(self) -> None:
        self.team = QComboBox()
        self.team.setObjectName("departmentTeam")
        self.parent_form.addRow(QCoreApplication.translate("CatalogPage", "Team"), self.team)
        self.children_box.setTitle(QCoreApplication.translate("CatalogPage", "Subjects"))

    def parents(self) -> list[ParentRow]:
        return [] if self.data is None else self.data.departments

    def populate(self, data: SettingsData) -> None:
        current = self.team.currentData()
        self.team.clear()
        self.team.addItem(QCoreApplication.translate("CatalogPage", "(none)"), None)
        for team in data.teams:
            self.team.addItem(team.name, team.id)
        self.team.setCurrentIndex(max(0, self.team.findData(current)))
        super().populate(data)

    def parent_values(self) -> dict[str, Any]:
        return {"name": self.name.text(), "team_id": self.team.currentData()}

    def parent_before(self, row: ParentRow) -> dict[str, Any]:
        return {"name": row.name, "team_id": row.team_id}

    def show_parent_extra(self, row: ParentRow | None) -> None:
        self.team.setCurrentIndex(max(0, self.team.findData(row.team_id if row else None)))

    def child_values(self) -> dict[str, Any]:
        return {"name": self.child_name.text()}

    def child_before(self, row: ChildRow) -> dict[str, Any]:
        return {"name": row.name}

    def children_path(self, parent_id: str) -> str:
        return f"departments/{parent_id}/subjects"

    def child_path(self) -> str:
        return "subjects"


class SubtypesPage(CatalogPage):
    """P3, P5: ticket subtypes and the custom fields each one asks for."""

    parents_path = "subtypes"
    child_rename: ClassVar[Mapping[str, str]] = {"label": "child_name"}

    def build(self) -> None:
        self.children_box.setTitle(QCoreApplication.translate("CatalogPage", "Custom fields"))
        self.key = QLineEdit()
        self.key.setObjectName("fieldKey")
        self.key.setPlaceholderText(
            QCoreApplication.translate("CatalogPage", "Latin letters, digits and _")
        )
        self.key.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.kind = QComboBox()
        self.kind.setObjectName("fieldKind")
        for value, label in KIND_LABELS.items():
            self.kind.addItem(_tr(label), str(value))
        self.choices = QLineEdit()
        self.choices.setObjectName("fieldChoices")
        self.choices.setPlaceholderText(
            QCoreApplication.translate("CatalogPage", "For a choice: options, separated by commas")
        )
        self.required = QCheckBox(QCoreApplication.translate("CatalogPage", "Required"))
        self.required.setObjectName("fieldRequired")
        self.fields.update({"key": self.key, "kind": self.kind, "choices": self.choices})
        self.child_form.addRow(QCoreApplication.translate("CatalogPage", "Key"), self.key)
        self.child_form.addRow("", self.error_label("key"))
        self.child_form.addRow(QCoreApplication.translate("CatalogPage", "Kind"), self.kind)
        self.child_form.addRow(QCoreApplication.translate("CatalogPage", "Choices"), self.choices)
        self.child_form.addRow("", self.error_label("choices"))
        self.child_form.addRow("", self.required)

    def parents(self) -> list[ParentRow]:
        return [] if self.data is None else self.data.subtypes

    def child_values(self) -> dict[str, Any]:
        kind = str(self.kind.currentData())
        return {
            "key": self.key.text().strip(),
            "label": self.child_name.text(),
            "kind": kind,
            "choices": split_choices(self.choices.text()) if kind == FieldKind.CHOICE else None,
            "required": self.required.isChecked(),
        }

    def child_before(self, row: ChildRow) -> dict[str, Any]:
        return {
            "key": row.key,
            "label": row.name,
            "kind": row.kind,
            "choices": list(row.choices) if row.kind == FieldKind.CHOICE else None,
            "required": row.required,
        }

    def show_child_extra(self, row: ChildRow | None) -> None:
        self.key.setText(row.key if row else "")
        self.key.setReadOnly(row is not None)
        self.kind.setCurrentIndex(max(0, self.kind.findData(row.kind if row else "text")))
        self.choices.setText("، ".join(row.choices) if row else "")
        self.required.setChecked(bool(row and row.required))

    def children_path(self, parent_id: str) -> str:
        return f"subtypes/{parent_id}/fields"

    def child_path(self) -> str:
        return "custom-fields"
