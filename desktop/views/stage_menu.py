"""The stage menu (O1, E4): the stages of the selected tickets' teams, the current one
checked; one team gives a flat list, several a section per team."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu, QWidget

from core.triage import TeamChoice


class StageMenu(QMenu):
    """Emits `stage_picked(team_id, stage_id)`."""

    stage_picked = Signal(str, str)

    def __init__(
        self, teams: list[TeamChoice], current: Iterable[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("stageMenu")
        self.setTitle(self.tr("Stage"))
        now = set(current)
        for team in teams:
            if len(teams) > 1:
                self.addSection(team.name)
            for stage in team.stages:
                text = stage.name
                if stage.is_closed:
                    text = self.tr("%1 (closes the ticket)").replace("%1", stage.name)
                action = self.addAction(text)
                action.setObjectName(f"stage:{stage.id}")
                action.setCheckable(True)
                action.setChecked(stage.id in now)
                action.triggered.connect(
                    lambda _checked=False, t=team.id, s=stage.id: self.stage_picked.emit(t, s)
                )
            if not team.stages:
                empty = self.addAction(self.tr("This team has no stages"))
                empty.setEnabled(False)
