"""Settings > Teams (O1-O5): name, public description (O2), company, visibility (O3) with
its warning, members (O5: who is chosen by auto-assignment), and the team's stages
(O1): add, rename, reorder, fold."""

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
    QVBoxLayout,
    QWidget,
)

from core.enums import Visibility
from desktop.context import WindowContext
from desktop.models.settings_data import SettingsData, StageRow, TeamRow, portal_followers_count
from desktop.translate import QT_TRANSLATE_NOOP
from desktop.views.settings_common import SettingsPage
from sync.client.admin_api import AdminApi, AdminError

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
        self.members = QListWidget()
        self.members.setObjectName("teamMembers")
        self.members.setMaximumHeight(110)
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
        self.fold = QCheckBox(QCoreApplication.translate("TeamsPage", "Folded on the board"))
        self.fold.setObjectName("stageFolded")
        self.fold.clicked.connect(self.set_folded)
        stage_buttons = QHBoxLayout()
        for button in (self.add_stage_button, self.rename_stage_button):
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

    # --- showing --------------------------------------------------------------------

    def populate(self, data: SettingsData) -> None:
        super().populate(data)
        keep = self._shown.id if self._shown is not None else None
        self.team_list.blockSignals(True)
        self.team_list.clear()
        for team in data.teams:
            item = QListWidgetItem(team.name)
            item.setData(ID_ROLE, team.id)
            self.team_list.addItem(item)
        self.team_list.blockSignals(False)
        self.company.clear()
        self.company.addItem(QCoreApplication.translate("TeamsPage", "(none)"), None)
        for company_id, name in data.companies:
            self.company.addItem(name, company_id)
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
        ):
            widget.setEnabled(editable)
        self.name.setReadOnly(not editable)
        self.description.setReadOnly(not editable)
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
        self.name.setText(team.name)
        self.description.setPlainText(team.public_description)
        self.company.setCurrentIndex(max(0, self.company.findData(team.company_id)))
        self.visibility.setCurrentIndex(self.visibility.findData(team.visibility))
        self.members.clear()
        for user_id, name in self.data.staff:
            item = QListWidgetItem(name)
            item.setData(ID_ROLE, user_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = user_id in team.members
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.members.addItem(item)
        self._fill_stages(team.stages)

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

    def _member_changes(self, team: TeamRow) -> tuple[list[str], list[str]]:
        checked = set()
        for i in range(self.members.count()):
            item = self.members.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                checked.add(str(item.data(ID_ROLE)))
        added = sorted(checked - team.members.keys())
        removed = sorted(team.members.keys() - checked)
        return added, removed

    def save_team(self) -> None:
        team = self._shown
        if team is None:
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
        added, removed = self._member_changes(team)

        async def work(api: AdminApi) -> None:
            if changes:
                await api.update_team(team.id, changes)
            for user_id in added:
                await api.set_member(team.id, user_id, assignable=False)
            for user_id in removed:
                await api.remove_member(team.id, user_id)

        self.call(work)

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
        stage's name box (not the team's)."""

        async def go(api: AdminApi) -> Any:
            try:
                return await work(api)
            except AdminError as exc:
                for item in exc.fields:
                    if item.field == "name":
                        item.field = "stage_name"
                raise

        self.call(go)
