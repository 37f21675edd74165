"""Signing in: server address, user name and password; "Work offline" when a cache is
already on this computer; signing in again from the window (a note says why, no "Work
offline"). The sign-in runs on the asyncio loop (the dialog stays live);
a refusal or an unreachable server is told in the dialog and nothing typed is lost."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sync.client.login import (
    AccountMismatch,
    LoginError,
    LoginRefused,
    ServerUnreachable,
    SignedIn,
)

WORK_OFFLINE = 2
"""`finished` code when the agent chose to work offline."""

SignIn = Callable[[str, str, str], Awaitable[SignedIn]]


def _note_label(note: str) -> QLabel:
    """Why the dialog is asked for (signing in again from the window); hidden when empty."""
    label = QLabel(note)
    label.setObjectName("loginNote")
    label.setWordWrap(True)
    label.setVisible(bool(note))
    return label


class LoginDialog(QDialog):
    def __init__(
        self,
        sign_in: SignIn,
        *,
        server: str = "",
        username: str = "",
        offline_allowed: bool = False,
        note: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle(self.tr("Sign in to Helpdesk"))
        self.setMinimumWidth(420)
        self._sign_in = sign_in
        self._task: asyncio.Task[None] | None = None
        self.signed_in: SignedIn | None = None

        self.server_edit = QLineEdit(server)
        self.server_edit.setObjectName("serverEdit")
        self.server_edit.setPlaceholderText("https://helpdesk.example.com")
        self.server_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.user_edit = QLineEdit(username)
        self.user_edit.setObjectName("userEdit")
        self.user_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)

        self.error_label = QLabel()
        self.error_label.setObjectName("loginError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()

        self.note_label = _note_label(note)

        form = QFormLayout()
        form.addRow(self.tr("Server address"), self.server_edit)
        form.addRow(self.tr("User name"), self.user_edit)
        form.addRow(self.tr("Password"), self.password_edit)

        self.buttons = QDialogButtonBox()
        self.sign_in_button = QPushButton(self.tr("Sign in"))
        self.sign_in_button.setObjectName("signIn")
        self.sign_in_button.setDefault(True)
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.offline_button: QPushButton | None = None
        if offline_allowed:
            self.offline_button = QPushButton(self.tr("Work offline"))
            self.offline_button.setObjectName("workOffline")
            self.buttons.addButton(self.offline_button, QDialogButtonBox.ButtonRole.ActionRole)
            self.offline_button.clicked.connect(lambda: self.done(WORK_OFFLINE))
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.note_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        for edit in (self.server_edit, self.user_edit, self.password_edit):
            if not edit.text():
                edit.setFocus()
                break

    def show_error(self, text: str, focus: QLineEdit | None = None) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        if focus is not None:
            focus.setFocus()
            focus.selectAll()

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    @Slot()
    def submit(self) -> None:
        """Check what was typed, then sign in on the asyncio loop."""
        if self.busy:
            return
        server = self.server_edit.text().strip()
        user = self.user_edit.text().strip()
        password = self.password_edit.text()
        if not server:
            self.show_error(self.tr("Enter the server's address."), self.server_edit)
            return
        if not user:
            self.show_error(self.tr("Enter your user name."), self.user_edit)
            return
        if not password:
            self.show_error(self.tr("Enter your password."), self.password_edit)
            return
        self._set_busy(True)
        self.error_label.setText(self.tr("Signing in…"))
        self.error_label.show()
        self._task = asyncio.ensure_future(self._attempt(server, user, password))

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.server_edit, self.user_edit, self.password_edit, self.sign_in_button):
            widget.setEnabled(not busy)

    async def _attempt(self, server: str, user: str, password: str) -> None:
        try:
            signed = await self._sign_in(server, user, password)
        except LoginRefused:
            self._set_busy(False)
            self.show_error(
                self.tr("The user name or password is wrong. Check them and try again."),
                self.password_edit,
            )
            return
        except ServerUnreachable:
            self._set_busy(False)
            self.show_error(
                self.tr(
                    "Cannot reach the server at %1. Check the address and your network, "
                    "or work offline."
                ).replace("%1", server),
                self.server_edit,
            )
            return
        except AccountMismatch as exc:  # its message is already the agent's language
            self._set_busy(False)
            self.show_error(str(exc), self.user_edit)
            return
        except LoginError as exc:
            self._set_busy(False)
            self.show_error(
                self.tr("The server refused to sign you in: %1").replace("%1", str(exc))
            )
            return
        self._set_busy(False)
        self.signed_in = signed
        self.accept()

    def reject(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        super().reject()
