"""Settings > Priority and SLA (P4, E1): the severity x impact -> priority table and the
first-response and resolution targets per priority. Admins edit; everyone else reads."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from core.enums import Impact, Priority, Severity
from desktop.context import WindowContext
from desktop.models.queue_model import IMPACT_LABELS, PRIORITY_LABELS, SEVERITY_LABELS
from desktop.models.settings_data import SettingsData
from desktop.views.settings_common import SettingsPage
from sync.client.admin_api import AdminApi, AdminError

MAX_MINUTES = 366 * 24 * 60


def _q(label: str) -> str:
    return QCoreApplication.translate("QueueTableModel", label)


def _key(level: Severity | Impact | Priority) -> str:
    return level.name.lower()


class PriorityPage(SettingsPage):
    def __init__(self, context: WindowContext, api: AdminApi | None) -> None:
        super().__init__(context, api)
        matrix_box = QGroupBox(
            QCoreApplication.translate(
                "PriorityPage", "Priority by severity (rows) and impact (columns)"
            )
        )
        grid = QGridLayout(matrix_box)
        self.cells: dict[tuple[Severity, Impact], QComboBox] = {}
        for col, impact in enumerate(Impact, start=1):
            grid.addWidget(QLabel(_q(IMPACT_LABELS[impact])), 0, col)
        for row, severity in enumerate(Severity, start=1):
            grid.addWidget(QLabel(_q(SEVERITY_LABELS[severity])), row, 0)
            for col, impact in enumerate(Impact, start=1):
                combo = QComboBox()
                combo.setObjectName(f"cell_{_key(severity)}_{_key(impact)}")
                for priority in Priority:
                    combo.addItem(_q(PRIORITY_LABELS[priority]), _key(priority))
                grid.addWidget(combo, row, col)
                self.cells[severity, impact] = combo
        self.save_matrix_button = QPushButton(
            QCoreApplication.translate("PriorityPage", "Save the matrix")
        )
        self.save_matrix_button.setObjectName("saveMatrix")
        self.save_matrix_button.clicked.connect(self.save_matrix)
        grid.addWidget(self.error_label("matrix"), len(Severity) + 1, 0, 1, len(Impact) + 1)
        grid.addWidget(self.save_matrix_button, len(Severity) + 2, len(Impact))

        sla_box = QGroupBox(QCoreApplication.translate("PriorityPage", "SLA targets per priority"))
        sla = QGridLayout(sla_box)
        sla.addWidget(QLabel(QCoreApplication.translate("PriorityPage", "First response")), 0, 1)
        sla.addWidget(QLabel(QCoreApplication.translate("PriorityPage", "Resolution")), 0, 2)
        self.targets: dict[tuple[Priority, str], QSpinBox] = {}
        for row, priority in enumerate(reversed(Priority), start=1):
            sla.addWidget(QLabel(_q(PRIORITY_LABELS[priority])), row, 0)
            for col, what in enumerate(("first_response_minutes", "resolution_minutes"), 1):
                spin = QSpinBox()
                spin.setObjectName(f"sla_{_key(priority)}_{what}")
                spin.setRange(1, MAX_MINUTES)
                spin.setSuffix(" " + QCoreApplication.translate("PriorityPage", "minutes"))
                sla.addWidget(spin, row, col)
                self.targets[priority, what] = spin
        self.save_sla_button = QPushButton(
            QCoreApplication.translate("PriorityPage", "Save the targets")
        )
        self.save_sla_button.setObjectName("saveSla")
        self.save_sla_button.clicked.connect(self.save_sla)
        sla.addWidget(self.error_label("sla"), len(Priority) + 1, 0, 1, 3)
        sla.addWidget(self.save_sla_button, len(Priority) + 2, 2)

        self.note = QLabel()
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        row_layout = QHBoxLayout()
        row_layout.addWidget(matrix_box)
        row_layout.addWidget(sla_box)
        layout.addLayout(row_layout)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def editable(self) -> bool:
        return self.data is not None and self.data.is_admin

    def populate(self, data: SettingsData) -> None:
        super().populate(data)
        for (severity, impact), combo in self.cells.items():
            value = data.matrix.get(_key(severity), {}).get(_key(impact))
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.setEnabled(self.editable())
        for (priority, what), spin in self.targets.items():
            spin.setValue(int(data.sla.get(_key(priority), {}).get(what, 1)))
            spin.setEnabled(self.editable())
        self.save_matrix_button.setEnabled(self.editable())
        self.save_sla_button.setEnabled(self.editable())
        self.note.setText(
            ""
            if self.editable()
            else QCoreApplication.translate(
                "PriorityPage", "Only admins change the priority matrix and the SLA targets."
            )
        )

    def matrix_values(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for (severity, impact), combo in self.cells.items():
            out.setdefault(_key(severity), {})[_key(impact)] = str(combo.currentData())
        return out

    def sla_values(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (priority, what), spin in self.targets.items():
            out.setdefault(_key(priority), {})[what] = spin.value()
        return out

    def save_matrix(self) -> None:
        values = self.matrix_values()
        self.call(lambda api: api.put_priority_matrix(values))

    def save_sla(self) -> None:
        values = self.sla_values()

        async def work(api: AdminApi) -> object:
            try:
                return await api.put_sla_targets(values)
            except AdminError as exc:
                for item in exc.fields:
                    item.field = "sla"
                raise

        self.call(work)
