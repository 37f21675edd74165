"""The settings window (O2-O5, P3-P5, C1, E1, E2, S8): a list of pages at the start side
(the right in Persian) and the page beside it.

Pages read the local cache on the DB worker (desktop/models/settings_data.py); admins and
supervisors edit through the server's REST resources (sync/client/admin_api.py) on the
qasync loop, because these edits need the server's validation at once and have no push
command. After a save the window pokes sync; it reloads from the cache when a sync
brought changes. Agents see every page read-only (and the server refuses them anyway).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.context import WindowContext
from desktop.models.settings_data import SettingsData, load_settings
from desktop.views.settings_catalog import DepartmentsPage, SubtypesPage
from desktop.views.settings_common import SettingsPage
from desktop.views.settings_priority import PriorityPage
from desktop.views.settings_teams import TeamsPage
from desktop.views.settings_texts import CannedPage, KbPage
from sync.client.admin_api import AdminApi


class SettingsWindow(QMainWindow):
    def __init__(
        self, context: WindowContext, api: AdminApi | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsWindow")
        self.setWindowTitle(QCoreApplication.translate("SettingsWindow", "Settings"))
        self.context = context
        self.api = api
        self.data: SettingsData | None = None
        self.loads = 0
        self.teams = TeamsPage(context, api)
        self.departments = DepartmentsPage(context, api)
        self.subtypes = SubtypesPage(context, api)
        self.priority = PriorityPage(context, api)
        self.canned = CannedPage(context, api)
        self.kb = KbPage(context, api)
        self.pages: list[tuple[str, SettingsPage]] = [
            (QCoreApplication.translate("SettingsWindow", "Teams and stages"), self.teams),
            (
                QCoreApplication.translate("SettingsWindow", "Departments and subjects"),
                self.departments,
            ),
            (
                QCoreApplication.translate("SettingsWindow", "Subtypes and custom fields"),
                self.subtypes,
            ),
            (QCoreApplication.translate("SettingsWindow", "Priority and SLA"), self.priority),
            (QCoreApplication.translate("SettingsWindow", "Canned replies"), self.canned),
            (QCoreApplication.translate("SettingsWindow", "Knowledge base"), self.kb),
        ]
        self.page_list = QListWidget()
        self.page_list.setObjectName("settingsPages")
        self.page_list.setMaximumWidth(200)
        self.stack = QStackedWidget()
        for title, page in self.pages:
            self.page_list.addItem(title)
            self.stack.addWidget(page)
            page.saved.connect(self._saved)
        self.page_list.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.page_list.setCurrentRow(0)
        self.banner = QLabel()
        self.banner.setObjectName("settingsBanner")
        self.banner.setWordWrap(True)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.addWidget(self.banner)
        row = QHBoxLayout()
        row.addWidget(self.page_list)  # first = the start side: the right in RTL
        row.addWidget(self.stack, 1)
        outer.addLayout(row, 1)
        self.setCentralWidget(central)
        self.resize(1040, 740)
        if context.sync is not None:
            context.sync.synced.connect(self._after_sync)
        self.reload()

    def show_page(self, page: SettingsPage) -> None:
        self.page_list.setCurrentRow([p for _t, p in self.pages].index(page))

    def reload(self) -> None:
        """Read every page's records from the cache again (on the DB worker)."""
        user_id = self.context.user_id
        self.context.runner.submit(lambda s: load_settings(s, user_id), self._loaded)

    def _loaded(self, data: SettingsData) -> None:
        self.data = data
        self.loads += 1
        if not data.may_supervise:
            self.banner.setText(
                QCoreApplication.translate(
                    "SettingsWindow",
                    "You can read these settings; supervisors and admins change them.",
                )
            )
        elif self.api is None:
            self.banner.setText(
                QCoreApplication.translate(
                    "SettingsWindow", "Working offline: changes need a connection to the server."
                )
            )
        else:
            self.banner.clear()
        self.banner.setVisible(bool(self.banner.text()))
        for _title, page in self.pages:
            page.populate(data)

    def _after_sync(self, changed: bool) -> None:
        if changed:
            self.reload()

    def _saved(self) -> None:
        """The server has it; the next pull brings it into the cache (then `reload`)."""
        if self.context.sync is not None:
            self.context.sync.poke()


class SettingsLauncher:
    """Adds Settings (Ctrl+,) to the main window's menu for every staff user; agents get
    the pages read-only."""

    def __init__(self, window: QMainWindow, context: WindowContext) -> None:
        self._window = window
        self._context = context
        self.settings: SettingsWindow | None = None
        menu = window.menuBar().addMenu(QCoreApplication.translate("SettingsWindow", "&Tools"))
        self.action = QAction(QCoreApplication.translate("SettingsWindow", "&Settings"), window)
        self.action.setObjectName("actionSettings")
        self.action.setShortcut(QKeySequence("Ctrl+,"))
        self.action.triggered.connect(self.open)
        menu.addAction(self.action)

    def open(self) -> SettingsWindow:
        if self.settings is None:
            bridge = self._context.sync
            api = AdminApi(bridge.server_url, bridge.token) if bridge is not None else None
            self.settings = SettingsWindow(self._context, api, parent=self._window)
            self.settings.setWindowFlag(Qt.WindowType.Window, True)
        else:
            self.settings.reload()
        self.settings.show()
        self.settings.activateWindow()
        return self.settings
