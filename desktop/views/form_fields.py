"""Editors of the ticket form's custom fields (P5), one per FieldKind, and the Jalali date
entry they use: each reads back a plain value (text, number text, ISO date, choice, bool)
for core.ticket_form to check; nothing here decides what is valid."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCalendar, QDate, QLocale, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from core.enums import FieldKind
from core.textnorm import fold
from core.ticket_form import FieldSpec
from desktop.formatting import Formatter


def parse_jalali(text: str, calendar: QCalendar) -> str | None:
    """`1404/01/31` (any digits, `/` or `-`) in `calendar` as an ISO date; None when it
    is not a date (so the form can say so), "" when empty."""
    clean = fold(text.strip()).replace("-", "/")
    if not clean:
        return ""
    parts = clean.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    year, month, day = (int(p) for p in parts)
    if not calendar.isDateValid(year, month, day):
        return None
    moment = calendar.dateFromParts(year, month, day)
    return moment.toString(Qt.DateFormat.ISODate) if moment.isValid() else None


def format_jalali(iso: str, formatter: Formatter) -> str:
    """An ISO date as the agent types it, in the form's calendar and digits."""
    moment = QDate.fromString(iso, Qt.DateFormat.ISODate)
    if not moment.isValid():
        return iso
    return formatter.calendar.dateTimeToString(
        "yyyy/MM/dd", moment.startOfDay(), moment, moment.startOfDay().time(), formatter.locale
    )


class JalaliDateEdit(QWidget):
    """A date typed as `1404/01/31` (Persian or ASCII digits) or picked from a Jalali
    calendar; empty is allowed (the field may be optional)."""

    edited = Signal()

    def __init__(self, formatter: Formatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._formatter = formatter
        self.line = QLineEdit()
        self.line.setPlaceholderText(format_jalali("2025-04-20", formatter))
        self.line.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.line.textChanged.connect(self.edited)
        self.calendar = QCalendarWidget()
        self.calendar.setCalendar(formatter.calendar)
        self.calendar.setLocale(QLocale(formatter.locale))
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._picked)
        self.button = QToolButton()
        self.button.setText("…")
        self.button.setToolTip(self.tr("Pick a date"))
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.button)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(self.calendar)
        menu.addAction(holder)
        self.button.setMenu(menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.line)

    def value(self) -> str | None:
        """The ISO date, "" when empty, None when what is typed is not a date."""
        return parse_jalali(self.line.text(), self._formatter.calendar)

    def set_value(self, iso: str | None) -> None:
        self.line.setText(format_jalali(iso, self._formatter) if iso else "")

    @Slot(QDate)
    def _picked(self, moment: QDate) -> None:
        self.set_value(moment.toString(Qt.DateFormat.ISODate))
        menu = self.button.menu()
        if menu is not None:
            menu.hide()


class CustomFieldEditor:
    """The widget of one custom field and how to read and set its value."""

    def __init__(self, spec: FieldSpec, formatter: Formatter, none_label: str) -> None:
        self.spec = spec
        self.widget: QWidget
        kind = spec.kind
        if kind is FieldKind.BOOLEAN:
            self.widget = QCheckBox()
        elif kind is FieldKind.CHOICE:
            combo = QComboBox()
            combo.addItem(none_label, "")
            for choice in spec.choices:
                combo.addItem(choice, choice)
            self.widget = combo
        elif kind is FieldKind.DATE:
            self.widget = JalaliDateEdit(formatter)
        else:
            line = QLineEdit()
            if kind is FieldKind.NUMBER:
                line.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
                line.setInputMethodHints(Qt.InputMethodHint.ImhFormattedNumbersOnly)
            self.widget = line
        self.widget.setObjectName(f"custom_{spec.key}")

    def value(self) -> Any:
        widget = self.widget
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QComboBox):
            return widget.currentData() or ""
        if isinstance(widget, JalaliDateEdit):
            value = widget.value()
            # a date that does not parse goes to the check as typed, to be refused there
            return widget.line.text() if value is None else value
        assert isinstance(widget, QLineEdit)
        return widget.text()

    def set_value(self, value: Any) -> None:
        widget = self.widget
        if isinstance(widget, QCheckBox):
            widget.setChecked(value is True)
        elif isinstance(widget, QComboBox):
            index = widget.findData(value if value is not None else "")
            widget.setCurrentIndex(max(index, 0))
        elif isinstance(widget, JalaliDateEdit):
            widget.set_value(str(value) if value else None)
        else:
            assert isinstance(widget, QLineEdit)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            widget.setText("" if value is None else str(value))
