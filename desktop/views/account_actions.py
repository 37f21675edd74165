"""The window's Account menu (D6): "Sign in again…" while the server refuses the session's
token (revoked, expired), and "Sign out". The menu only asks; what signing in again and
signing out do is decided by the start-up flow (desktop/startup.py `AccountSession`),
which connects to its signals and calls `attach()`."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMessageBox, QPushButton, QWidget

from desktop.context import WindowContext
from sync.client.engine import EngineState


class AccountMenu(QObject):
    """Account > Sign in again… / Sign out; both disabled until a session is attached."""

    sign_in_again_requested = Signal()
    sign_out_requested = Signal()

    def __init__(self, window: QMainWindow, context: WindowContext) -> None:
        super().__init__(window)
        self._bridge = context.sync
        self._attached = False
        self.menu = window.menuBar().addMenu(self.tr("&Account"))
        self.menu.setObjectName("accountMenu")
        self.sign_in_again = QAction(self.tr("Sign in again…"), window)
        self.sign_in_again.setObjectName("signInAgain")
        self.sign_in_again.triggered.connect(self.sign_in_again_requested)
        self.sign_out = QAction(self.tr("Sign out"), window)
        self.sign_out.setObjectName("signOut")
        self.sign_out.triggered.connect(self.sign_out_requested)
        self.menu.addAction(self.sign_in_again)
        self.menu.addSeparator()
        self.menu.addAction(self.sign_out)
        self.menu.menuAction().setVisible(self._bridge is not None)  # offline: no session
        if self._bridge is not None:
            self._bridge.state_changed.connect(self._show_state)
        self._enable()

    def attach(self) -> None:
        """A session handles the requests from now on."""
        self._attached = True
        self._enable()

    @Slot(object)
    def _show_state(self, _state: EngineState) -> None:
        self._enable()

    def _enable(self) -> None:
        bridge = self._bridge
        self.sign_out.setEnabled(self._attached and bridge is not None)
        self.sign_in_again.setEnabled(
            self._attached and bridge is not None and bridge.needs_sign_in
        )


class SignOutQuestion(QMessageBox):
    """Asked before signing out with changes not yet sent: how many wait in this
    computer's cache until the next sign-in. `open()` it; `confirmed` after it finished."""

    def __init__(self, parent: QWidget, pending: int, user_name: str) -> None:
        super().__init__(parent)
        self.setObjectName("signOutQuestion")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(QCoreApplication.translate("AccountMenu", "Sign out"))
        self.setText(
            QCoreApplication.translate("AccountMenu", "%Ln change(s) not yet sent.", None, pending)
        )
        self.setInformativeText(
            QCoreApplication.translate(
                "AccountMenu",
                "They stay on this computer and are sent the next time %1 signs in. "
                "Sign out anyway?",
            ).replace("%1", user_name)
        )
        self.sign_out_button = QPushButton(QCoreApplication.translate("AccountMenu", "Sign out"))
        self.sign_out_button.setObjectName("signOutAnyway")
        self.addButton(self.sign_out_button, QMessageBox.ButtonRole.AcceptRole)
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.cancel_button)

    @property
    def confirmed(self) -> bool:
        return self.clickedButton() is self.sign_out_button
