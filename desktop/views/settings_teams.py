"""Settings > Teams (O1-O5): a new team; name, public description (O2), company,
visibility (O3) with its warning; deactivating (the server keeps the team for its
tickets); members and which of them auto-assignment may choose (O5); followers of every
team ticket, staff or external contacts (O4); and the team's stages (O1): add, rename,
reorder, fold, delete."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.enums import Visibility
from desktop.context import WindowContext
from desktop.models.settings_data import SettingsData, StageRow, TeamRow, portal_followers_count
from desktop.translate import QT_TRANSLATE_NOOP
from desktop.views.settings_common import SettingsPage
from sync.client.admin_api import AdminApi

VISIBILITY_LABELS: dict[str, str] = {
    Visibility.PRIVATE: QT_TRANSLATE_NOOP("TeamsPage", "Private: invited staff only"),
    Visibility.COMPANY: QT_TRANSLATE_NOOP("TeamsPage", "Company: all staff"),
    Visibility.PUBLIC: QT_TRANSLATE_NOOP("TeamsPage", "Public: staff and invited customers"),
}
ID_ROLE = Qt.ItemDataRole.UserRole


def _tr(text: str) -> str:
    return QCoreApplication.translate("TeamsPage", text)


class TeamsPage(SettingsPage):
    def __init__(self, context: WindowContext, api: AdminApi | None) -> None:  # noqa: PLR0915 - one field after another
        super().__init__(context, api)
        self.team_list = QListWidget()
        self.team_list.setObjectName("teamList")
        self.team_list.currentRowChanged.connect(self._show_team)

        self.name = QLineEdit()
        self.name.setObjectName("teamName")
        self.description = QPlainTextEdit()
        self.description.setObjectName("teamDescription")
        self.description.setPlaceholderText(
            QCoreApplication.translate("TeamsPage", "Shown to customers on the portal")
        )
        self.description.setMaximumHeight(70)
        self.company = QComboBox()
        self.company.setObjectName("teamCompany")
        self.visibility = QComboBox()
        self.visibility.setObjectName("teamVisibility")
        for value, label in VISIBILITY_LABELS.items():
            self.visibility.addItem(_tr(label), str(value))
        self.members = QTableWidget(0, 2)
        self.members.setObjectName("teamMembers")
        self.members.setHorizontalHeaderLabels(
            [
                QCoreApplication.translate("TeamsPage", "Member"),
                QCoreApplication.translate("TeamsPage", "Assignable (auto-assignment)"),
            ]
        )
        self.members.verticalHeader().hide()
        self.members.horizontalHeader().setStretchLastSection(True)
        self.members.setColumnWidth(0, 220)
        self.members.setMinimumHeight(110)
        self.members.setMaximumHeight(150)
        self.members.itemChanged.connect(self._member_toggled)
        self.followers = QListWidget()
        self.followers.setObjectName("teamFollowers")
        self.followers.setMaximumHeight(64)
        self.follower_pick = QComboBox()
        self.follower_pick.setObjectName("followerPick")
        self.add_follower_button = QPushButton(
            QCoreApplication.translate("TeamsPage", "Add follower")
        )
        self.add_follower_button.setObjectName("addFollower")
        self.add_follower_button.clicked.connect(self.add_follower)
        self.remove_follower_button = QPushButton(
            QCoreApplication.translate("TeamsPage", "Remove follower")
        )
        self.remove_follower_button.setObjectName("removeFollower")
        self.remove_follower_button.clicked.connect(self.remove_follower)
        self.new_button = QPushButton(QCoreApplication.translate("TeamsPage", "New team"))
        self.new_button.setObjectName("newTeam")
        self.new_button.clicked.connect(self.start_new)
        self.active_button = QPushButton()
        self.active_button.setObjectName("teamActive")
        self.active_button.clicked.connect(self.toggle_active)
        self.save_button = QPushButton(QCoreApplication.translate("TeamsPage", "Save team"))
        self.save_button.setObjectName("saveTeam")
        self.save_button.clicked.connect(self.save_team)
        self.fields = {"name": self.name, "public_description": self.description}

        form = QFormLayout()
        form.addRow(QCoreApplication.translate("TeamsPage", "Name"), self.name)
        form.addRow("", self.error_label("name"))
        form.addRow(QCoreApplication.translate("TeamsPage", "Public description"), self.description)
        form.addRow("", self.error_label("public_description"))
        form.addRow(QCoreApplication.translate("TeamsPage", "Company"), self.company)
        form.addRow(QCoreApplication.translate("TeamsPage", "Visibility"), self.visibility)
        form.addRow("", self.error_label("visibility"))
        form.addRow(QCoreApplication.translate("TeamsPage", "Members"), self.members)
        follower_row = QHBoxLayout()
        follower_row.addWidget(self.follower_pick, 1)
        follower_row.addWidget(self.add_follower_button)
        follower_row.addWidget(self.remove_follower_button)
        form.addRow(
            QCoreApplication.translate("TeamsPage", "Follow all team tickets"), self.followers
        )
        form.addRow("", follower_row)
        form.addRow("", self.error_label("follower"))
        self.fields["follower"] = self.follower_pick

        self.stage_list = QListWidget()
        self.stage_list.setObjectName("stageList")
        self.stage_list.setMaximumHeight(130)
        self.stage_list.currentRowChanged.connect(self._show_stage)
        self.stage_name = QLineEdit()
        self.stage_name.setObjectName("stageName")
        self.stage_name.setPlaceholderText(QCoreApplication.translate("TeamsPage", "Stage name"))
        self.fields["stage_name"] = self.stage_name
        self.add_stage_button = QPushButton(QCoreApplication.translate("TeamsPage", "Add stage"))
        self.add_stage_button.setObjectName("addStage")
        self.add_stage_button.clicked.connect(self.add_stage)
        self.rename_stage_button = QPushButton(QCoreApplication.translate("TeamsPage", "Rename"))
        self.rename_stage_button.setObjectName("renameStage")
        self.rename_stage_button.clicked.connect(self.rename_stage)
        self.up_button = QPushButton(QCoreApplication.translate("TeamsPage", "Move up"))
        self.up_button.setObjectName("stageUp")
        self.up_button.clicked.connect(lambda: self.move_stage(-1))
        self.down_button = QPushButton(QCoreApplication.translate("TeamsPage", "Move down"))
        self.down_button.setObjectName("stageDown")
        self.down_button.clicked.connect(lambda: self.move_stage(1))
        self.delete_stage_button = QPushButton(
            QCoreApplication.translate("TeamsPage", "Delete stage")
        )
        self.delete_stage_button.setObjectName("deleteStage")
        self.delete_stage_button.clicked.connect(self.delete_stage)
        self.fold = QCheckBox(QCoreApplication.translate("TeamsPage", "Folded on the board"))
        self.fold.setObjectName("stageFolded")
        self.fold.clicked.connect(self.set_folded)
        stage_buttons = QHBoxLayout()
        for button in (self.add_stage_button, self.rename_stage_button, self.delete_stage_button):
            stage_buttons.addWidget(button)
        stage_buttons.addStretch(1)
        for button in (self.up_button, self.down_button):
            stage_buttons.addWidget(button)
        form.addRow(QCoreApplication.translate("TeamsPage", "Stages"), self.stage_list)
        form.addRow("", self.stage_name)
        form.addRow("", self.error_label("stage_name"))
        form.addRow("", self.fold)
        form.addRow("", stage_buttons)

        detail = QVBoxLayout()
        detail.addLayout(form)
        save_row = QHBoxLayout()
        save_row.addWidget(self.new_button)
        save_row.addWidget(self.active_button)
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        detail.addLayout(save_row)
        detail.addWidget(self.message)
        detail.addStretch(1)

        layout = QHBoxLayout(self)
        layout.addWidget(self.team_list, 1)
        holder = QWidget()
        holder.setLayout(detail)
        layout.addWidget(holder, 3)
        self.warning: QMessageBox | None = None
        self._shown: TeamRow | None = None
        self.creating = False
        """The form holds a new team not yet on the server (a reload must not wipe it)."""
        self._keep_id: str | None = None
        self._filling = False

    # --- showing --------------------------------------------------------------------

    def populate(self, data: SettingsData) -> None:
        super().populate(data)
        keep = self._keep_id or (self._shown.id if self._shown is not None else None)
        self._keep_id = None
        self.team_list.blockSignals(True)
        self.team_list.clear()
        for team in data.teams:
            label = team.name
            if not team.active:
                label += " " + QCoreApplication.translate("TeamsPage", "(inactive)")
            item = QListWidgetItem(label)
            item.setData(ID_ROLE, team.id)
            self.team_list.addItem(item)
        self.team_list.blockSignals(False)
        company = self.company.currentData()
        self.company.clear()
        self.company.addItem(QCoreApplication.translate("TeamsPage", "(none)"), None)
        for company_id, name in data.companies:
            self.company.addItem(name, company_id)
        self.company.setCurrentIndex(max(0, self.company.findData(company)))
        self.follower_pick.clear()
        for user_id, name in data.staff:
            self.follower_pick.addItem(name, f"user:{user_id}")
        for contact_id, name in data.contacts:
            label = QCoreApplication.translate("TeamsPage", "%1 (customer)").replace("%1", name)
            self.follower_pick.addItem(label, f"contact:{contact_id}")
        editable = self.editable()
        for widget in (
            self.name,
            self.description,
            self.company,
            self.visibility,
            self.members,
            self.save_button,
            self.stage_name,
            self.add_stage_button,
            self.rename_stage_button,
            self.up_button,
            self.down_button,
            self.fold,
            self.delete_stage_button,
            self.new_button,
            self.active_button,
            self.follower_pick,
            self.add_follower_button,
            self.remove_follower_button,
        ):
            widget.setEnabled(editable)
        self.name.setReadOnly(not editable)
        self.description.setReadOnly(not editable)
        if self.creating:  # what is typed for the new team stays
            return
        rows = [t.id for t in data.teams]
        self.team_list.setCurrentRow(rows.index(keep) if keep in rows else 0)
        self._show_team(self.team_list.currentRow())

    def current_team(self) -> TeamRow | None:
        row = self.team_list.currentRow()
        if self.data is None or not 0 <= row < len(self.data.teams):
            return None
        return self.data.teams[row]

    def select_team(self, team_id: str) -> None:
        assert self.data is not None
        self.team_list.setCurrentRow([t.id for t in self.data.teams].index(team_id))

    def _show_team(self, _row: int) -> None:
        team = self.current_team()
        self._shown = team
        self.clear_errors()
        if team is None or self.data is None:
            return
        self.creating = False
        self.active_button.setText(
            QCoreApplication.translate("TeamsPage", "Deactivate team")
            if team.active
            else QCoreApplication.translate("TeamsPage", "Reactivate team")
        )
        self.name.setText(team.name)
        self.description.setPlainText(team.public_description)
        self.company.setCurrentIndex(max(0, self.company.findData(team.company_id)))
        self.visibility.setCurrentIndex(self.visibility.findData(team.visibility))
        self._fill_members(team.members)
        self._fill_followers(team)
        self._fill_stages(team.stages)

    def _fill_members(self, members: dict[str, bool]) -> None:
        """One row per staff user: a member?, and may auto-assignment choose them (O5)?"""
        assert self.data is not None
        self._filling = True
        self.members.setRowCount(len(self.data.staff))
        for row, (user_id, name) in enumerate(self.data.staff):
            member = QTableWidgetItem(name)
            member.setData(ID_ROLE, user_id)
            member.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            member.setCheckState(_checked(user_id in members))
            assignable = QTableWidgetItem()
            assignable.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            assignable.setCheckState(_checked(members.get(user_id, False)))
            self.members.setItem(row, 0, member)
            self.members.setItem(row, 1, assignable)
        self._filling = False

    def _member_toggled(self, item: QTableWidgetItem) -> None:
        """Assignable implies member; a member taken off is no longer assignable."""
        if self._filling:
            return
        self._filling = True
        row = item.row()
        member, assignable = self._cell(row, 0), self._cell(row, 1)
        if item.column() == 1 and item.checkState() == Qt.CheckState.Checked:
            member.setCheckState(Qt.CheckState.Checked)
        elif item.column() == 0 and item.checkState() == Qt.CheckState.Unchecked:
            assignable.setCheckState(Qt.CheckState.Unchecked)
        self._filling = False

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.members.item(row, column)
        assert item is not None  # every row is filled with both cells
        return item

    def member_row(self, user_id: str) -> int:
        for row in range(self.members.rowCount()):
            if self._cell(row, 0).data(ID_ROLE) == user_id:
                return row
        raise KeyError(user_id)

    def _fill_followers(self, team: TeamRow) -> None:
        self.followers.clear()
        for follower in team.followers:
            label = follower.name
            if follower.contact_id is not None:
                label = QCoreApplication.translate("TeamsPage", "%1 (customer)").replace(
                    "%1", follower.name
                )
            item = QListWidgetItem(label)
            item.setData(
                ID_ROLE,
                f"user:{follower.user_id}"
                if follower.user_id is not None
                else f"contact:{follower.contact_id}",
            )
            self.followers.addItem(item)

    def _fill_stages(self, stages: list[StageRow], select: int = 0) -> None:
        self.stage_list.blockSignals(True)
        self.stage_list.clear()
        for stage in stages:
            label = stage.name
            if stage.folded:
                label += " " + QCoreApplication.translate("TeamsPage", "(folded)")
            item = QListWidgetItem(label)
            item.setData(ID_ROLE, stage.id)
            self.stage_list.addItem(item)
        self.stage_list.blockSignals(False)
        if stages:
            self.stage_list.setCurrentRow(min(select, len(stages) - 1))
        self._show_stage(self.stage_list.currentRow())

    def current_stage(self) -> StageRow | None:
        team = self._shown
        row = self.stage_list.currentRow()
        if team is None or not 0 <= row < len(team.stages):
            return None
        return team.stages[row]

    def _show_stage(self, _row: int) -> None:
        stage = self.current_stage()
        self.fold.setChecked(bool(stage and stage.folded))
        if stage is not None:
            self.stage_name.setText(stage.name)

    # --- saving the team -------------------------------------------------------------

    def _changes(self, team: TeamRow) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if self.name.text() != team.name:
            changes["name"] = self.name.text()
        if self.description.toPlainText() != team.public_description:
            changes["public_description"] = self.description.toPlainText()
        if self.company.currentData() != team.company_id:
            changes["company_id"] = self.company.currentData()
        if self.visibility.currentData() != team.visibility:
            changes["visibility"] = self.visibility.currentData()
        return changes

    def _member_changes(self, members: dict[str, bool]) -> tuple[dict[str, bool], list[str]]:
        """(user id -> assignable) to set on the server (new members and changed flags),
        and the members to remove."""
        wanted: dict[str, bool] = {}
        for row in range(self.members.rowCount()):
            member, assignable = self._cell(row, 0), self._cell(row, 1)
            if member.checkState() == Qt.CheckState.Checked:
                wanted[str(member.data(ID_ROLE))] = assignable.checkState() == Qt.CheckState.Checked
        to_set = {u: a for u, a in wanted.items() if members.get(u) is not a}
        removed = sorted(members.keys() - wanted.keys())
        return to_set, removed

    def save_team(self) -> None:
        team = self._shown
        if team is None:
            if self.creating:
                self._create()
            return
        changes = self._changes(team)
        leaving_public = (
            changes.get("visibility") not in (None, Visibility.PUBLIC)
            and team.visibility == Visibility.PUBLIC
        )
        if leaving_public:
            team_id = team.id
            self.context.runner.submit(
                lambda s: portal_followers_count(s, team_id),
                lambda count: self._warn_private(team, count),
            )
            return
        self._send(team, changes)

    def _warn_private(self, team: TeamRow, count: int) -> None:
        """O3: leaving public removes portal followers; the supervisor confirms first."""
        number = self.context.localization.formatter.number(count)
        box = QMessageBox(self)
        box.setObjectName("visibilityWarning")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(QCoreApplication.translate("TeamsPage", "Make the team private?"))
        box.setText(
            QCoreApplication.translate(
                "TeamsPage",
                "Customers following this team or its tickets through the portal will be "
                "removed as followers: %1.",
            ).replace("%1", number)
        )
        box.setInformativeText(
            QCoreApplication.translate(
                "TeamsPage", "They will no longer see these tickets on the portal."
            )
        )
        box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Ok).setText(
            QCoreApplication.translate("TeamsPage", "Make private")
        )
        box.button(QMessageBox.StandardButton.Cancel).setText(
            QCoreApplication.translate("TeamsPage", "Cancel")
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda result: self._warned(team, result))
        self.warning = box
        box.open()

    def _warned(self, team: TeamRow, result: int) -> None:
        self.warning = None
        if result != QMessageBox.StandardButton.Ok:
            self.visibility.setCurrentIndex(self.visibility.findData(team.visibility))
            return
        self._send(team, self._changes(team))

    def _send(self, team: TeamRow, changes: dict[str, Any]) -> None:
        to_set, removed = self._member_changes(team.members)

        async def work(api: AdminApi) -> None:
            if changes:
                await api.update_team(team.id, changes)
            for user_id, assignable in to_set.items():
                await api.set_member(team.id, user_id, assignable=assignable)
            for user_id in removed:
                await api.remove_member(team.id, user_id)

        self.call(work)

    # --- a new team; deactivating ---------------------------------------------------

    def start_new(self) -> None:
        """An empty form for a team the server does not have yet."""
        self.team_list.blockSignals(True)
        self.team_list.setCurrentRow(-1)
        self.team_list.clearSelection()
        self.team_list.blockSignals(False)
        self._shown = None
        self.creating = True
        self.clear_errors()
        self.name.clear()
        self.description.clear()
        self.company.setCurrentIndex(0)
        self.visibility.setCurrentIndex(self.visibility.findData(str(Visibility.COMPANY)))
        self._fill_members({})
        self.followers.clear()
        self._fill_stages([])
        self.name.setFocus()

    def _create(self) -> None:
        values: dict[str, Any] = {
            "name": self.name.text(),
            "public_description": self.description.toPlainText() or None,
            "company_id": self.company.currentData(),
            "visibility": self.visibility.currentData(),
        }
        to_set, _removed = self._member_changes({})

        async def work(api: AdminApi) -> str:
            made = await api.create_team(values)
            team_id = str(made["id"])
            for user_id, assignable in to_set.items():
                await api.set_member(team_id, user_id, assignable=assignable)
            return team_id

        def created(team_id: str) -> None:
            self.creating = False
            self._keep_id = team_id  # shown once the pull brings it

        self.call(work, created)

    def toggle_active(self) -> None:
        """Deactivate (asked first: the team leaves the pickers, its tickets keep it) or
        bring an inactive team back."""
        team = self._shown
        if team is None:
            return
        if not team.active:
            self.call(lambda api: api.update_team(team.id, {"active": True}))
            return
        self.confirm(
            QCoreApplication.translate(
                "TeamsPage",
                "Deactivate the team %1? New tickets can no longer be given to it; its "
                "tickets keep it.",
            ).replace("%1", team.name),
            QCoreApplication.translate("TeamsPage", "Deactivate"),
            lambda: self.call(lambda api: api.deactivate_team(team.id)),
        )

    # --- followers (O4) --------------------------------------------------------------

    def add_follower(self) -> None:
        team = self._shown
        picked = self.follower_pick.currentData()
        if team is None or picked is None:
            return
        kind, _, party = str(picked).partition(":")
        self._follower_call(
            lambda api: api.add_team_follower(
                team.id,
                user_id=party if kind == "user" else None,
                contact_id=party if kind == "contact" else None,
            )
        )

    def remove_follower(self) -> None:
        team = self._shown
        item = self.followers.currentItem()
        if team is None or item is None:
            return
        kind, _, party = str(item.data(ID_ROLE)).partition(":")
        self._follower_call(
            lambda api: api.remove_team_follower(
                team.id,
                user_id=party if kind == "user" else None,
                contact_id=party if kind == "contact" else None,
            )
        )

    def _follower_call(self, work: Callable[[AdminApi], Awaitable[Any]]) -> None:
        """The server names "user_id" or "contact_id"; both are the follower picker."""
        self.call(work, rename={"user_id": "follower", "contact_id": "follower"})

    # --- stages (O1) -----------------------------------------------------------------

    def add_stage(self) -> None:
        team = self._shown
        if team is None:
            return
        last = max((s.sequence for s in team.stages), default=0)
        values = {"name": self.stage_name.text(), "sequence": last + 10}
        self._stage_call(lambda api: api.create_stage(team.id, values))

    def rename_stage(self) -> None:
        stage = self.current_stage()
        if stage is not None:
            name = self.stage_name.text()
            self._stage_call(lambda api: api.update_stage(stage.id, {"name": name}))

    def set_folded(self, folded: bool) -> None:
        stage = self.current_stage()
        if stage is not None:
            self._stage_call(lambda api: api.update_stage(stage.id, {"folded": folded}))

    def delete_stage(self) -> None:
        """Asked first; the server refuses while tickets sit in the stage."""
        stage = self.current_stage()
        if stage is None:
            return
        self.confirm(
            QCoreApplication.translate("TeamsPage", "Delete the stage %1?").replace(
                "%1", stage.name
            ),
            QCoreApplication.translate("TeamsPage", "Delete"),
            lambda: self._stage_call(lambda api: api.delete("stages", stage.id)),
        )

    def move_stage(self, step: int) -> None:
        """Swap places with the neighbour: both get fresh, distinct sequences."""
        team = self._shown
        row = self.stage_list.currentRow()
        if team is None or not 0 <= row + step < len(team.stages) or row < 0:
            return
        order = list(team.stages)
        order[row], order[row + step] = order[row + step], order[row]

        async def work(api: AdminApi) -> None:
            for position, stage in enumerate(order):
                wanted = (position + 1) * 10
                if stage.sequence != wanted:
                    await api.update_stage(stage.id, {"sequence": wanted})

        self._stage_call(work)

    def _stage_call(self, work: Callable[[AdminApi], Awaitable[Any]]) -> None:
        """A stage change; the server names the stage's "name" field, shown by the
        stage's name box (not the team's), where an "in use" refusal is said too."""
        self.call(work, rename={"name": "stage_name"}, in_use="stage_name")


def _checked(on: bool) -> Qt.CheckState:
    return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
