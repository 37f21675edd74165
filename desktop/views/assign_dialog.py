"""Refer tickets to a colleague (C3): a team, a colleague from those who may see it, each
with their open-ticket load and planned leave marked, and a note that becomes an internal
note on each ticket."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from core.textnorm import fold
from core.triage import Colleague, TeamChoice, TicketBrief, colleagues
from desktop.context import WindowContext

KEEP = ""
"""The team combo's data for "keep each ticket's team"."""
LEAVE_COLOUR = QColor("#9a6700")


@dataclass(frozen=True)
class AssignChoice:
    """What the agent chose: team None keeps each ticket's team; assignee None lets the
    new team's own rule pick (only with a team)."""

    assignee_id: str | None
    team_id: str | None
    note: str


class AssignDialog(QDialog):
    """Choose a colleague (and optionally another team) and write a note."""

    def __init__(
        self,
        context: WindowContext,
        tickets: list[TicketBrief],
        teams: list[TeamChoice],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._tickets = tickets
        self._generation = 0
        self._colleagues: list[Colleague] = []
        self.setObjectName("assignDialog")
        self.setWindowTitle(self.tr("Refer to a colleague"))
        self.setMinimumWidth(460)
        formatter = context.localization.formatter

        if len(tickets) == 1:
            only = tickets[0]
            number = (
                formatter.number(only.number) if only.number is not None else self.tr("pending")
            )
            heading = self.tr("Ticket %1: %2").replace("%1", number).replace("%2", only.title)
        else:
            heading = self.tr("%1 selected tickets").replace("%1", formatter.number(len(tickets)))
        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)

        own_teams = {t.team_id for t in tickets}
        self.team_combo = QComboBox()
        self.team_combo.setObjectName("teamCombo")
        self.team_combo.addItem(self.tr("Keep the ticket's team"), KEEP)
        for team in teams:
            self.team_combo.addItem(team.name, team.id)
        self._own_team = next(iter(own_teams)) if len(own_teams) == 1 else None

        self.filter_box = QLineEdit()
        self.filter_box.setObjectName("colleagueFilter")
        self.filter_box.setPlaceholderText(self.tr("Find a colleague"))
        self.filter_box.setClearButtonEnabled(True)

        self.colleague_list = self._make_list()

        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("referNote")
        self.note_edit.setPlaceholderText(
            self.tr("A note for your colleague (saved as an internal note on the ticket)")
        )
        self.note_edit.setFixedHeight(90)

        self.error_label = QLabel()
        self.error_label.setObjectName("assignError")
        self.error_label.setStyleSheet("color: #b3261e;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Refer"))
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)

        self._lay_out()

        self.team_combo.currentIndexChanged.connect(self.load_colleagues)
        self.filter_box.textChanged.connect(self._apply_filter)
        self.colleague_list.itemDoubleClicked.connect(lambda *_: self.try_accept())
        self.load_colleagues()

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("Team"), self.team_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.filter_box)
        layout.addWidget(self.colleague_list, 1)
        layout.addWidget(QLabel(self.tr("Note")))
        layout.addWidget(self.note_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def _make_list(self) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setObjectName("colleagueList")
        tree.setRootIsDecorated(False)
        tree.setColumnCount(3)
        tree.setHeaderLabels([self.tr("Colleague"), self.tr("Open tickets"), self.tr("Leave")])
        header = tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        tree.setMinimumHeight(200)
        return tree

    # --- data -------------------------------------------------------------------------

    def _team_for_list(self) -> str | None:
        chosen = self.team_combo.currentData()
        return str(chosen) if chosen else self._own_team

    @Slot()
    def load_colleagues(self) -> None:
        """Colleagues who may see the chosen team, read on the DB worker."""
        self._generation += 1
        generation = self._generation
        team_id = self._team_for_list()
        at = self._context.clock()

        def work(session: Session) -> list[Colleague]:
            return colleagues(session, team_id, at)

        def done(found: list[Colleague]) -> None:
            if generation == self._generation:
                self._show(found)

        self._context.runner.submit(work, done)

    def _show(self, found: list[Colleague]) -> None:
        formatter = self._context.localization.formatter
        selected = self.selected_colleague()
        self._colleagues = found
        self.colleague_list.clear()
        if self.team_combo.currentData():
            nobody = QTreeWidgetItem([self.tr("Nobody: the team's own rule picks"), "", ""])
            nobody.setData(0, Qt.ItemDataRole.UserRole, "")
            self.colleague_list.addTopLevelItem(nobody)
        for person in found:
            leave = ""
            if person.on_leave_until is not None:
                leave = self.tr("on leave until %1").replace(
                    "%1", formatter.date(person.on_leave_until)
                )
            item = QTreeWidgetItem([person.name, formatter.number(person.open_tickets), leave])
            item.setData(0, Qt.ItemDataRole.UserRole, person.id)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignCenter)
            if person.on_leave:
                for column in range(3):
                    item.setForeground(column, LEAVE_COLOUR)
                item.setToolTip(0, leave)
            self.colleague_list.addTopLevelItem(item)
            if person.id == selected:
                item.setSelected(True)
                self.colleague_list.setCurrentItem(item)
        self._apply_filter(self.filter_box.text())

    @Slot(str)
    def _apply_filter(self, text: str) -> None:
        key = fold(text.strip())
        for item in self._items():
            item.setHidden(bool(key) and key not in fold(item.text(0)))

    # --- choosing ---------------------------------------------------------------------

    def _items(self) -> list[QTreeWidgetItem]:
        found = (
            self.colleague_list.topLevelItem(i)
            for i in range(self.colleague_list.topLevelItemCount())
        )
        return [item for item in found if item is not None]

    def colleagues_shown(self) -> list[Colleague]:
        return list(self._colleagues)

    def selected_colleague(self) -> str | None:
        """The chosen colleague's id; "" for "nobody"; None when none is chosen."""
        items = self.colleague_list.selectedItems()
        if not items:
            return None
        return str(items[0].data(0, Qt.ItemDataRole.UserRole))

    def select_colleague(self, user_id: str) -> bool:
        for item in self._items():
            if item.data(0, Qt.ItemDataRole.UserRole) == user_id:
                self.colleague_list.setCurrentItem(item)
                item.setSelected(True)
                return True
        return False

    def choice(self) -> AssignChoice:
        team = self.team_combo.currentData()
        picked = self.selected_colleague()
        return AssignChoice(
            assignee_id=picked or None,
            team_id=str(team) if team else None,
            note=self.note_edit.toPlainText().strip(),
        )

    @Slot()
    def try_accept(self) -> None:
        """Accept when a colleague (or another team) is chosen; else say what is missing
        and keep everything typed."""
        picked = self.selected_colleague()
        if picked is None or (picked == "" and not self.team_combo.currentData()):
            self.error_label.setText(self.tr("Choose a colleague to refer the ticket to."))
            self.error_label.show()
            self.colleague_list.setFocus()
            return
        self.error_label.hide()
        self.accept()
