"""What every settings page shares: a call to the server on the qasync loop (never blocking
the window), the server's refusal shown translated beside the field it names with all
that was typed kept, "needs a connection to the server" when it cannot be reached, and
a sync poke after a save so the cache gets the change through pull."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from desktop.context import WindowContext
from desktop.models.settings_data import SettingsData
from sync.client.admin_api import AdminApi, AdminError, AdminOffline, FieldError

ERROR_STYLE = "color: #b3261e;"


def error_text(error: AdminError | AdminOffline, kind: str | None = None) -> str:  # noqa: PLR0911 - one sentence per refusal
    """The refusal in the agent's language (the server's English only as a last resort)."""
    if isinstance(error, AdminOffline):
        return QCoreApplication.translate(
            "SettingsPage", "This needs a connection to the server. Nothing was lost; try again."
        )
    kind = kind or error.code
    if error.status == 403:
        return QCoreApplication.translate(
            "SettingsPage",
            "Only supervisors and admins may change this (admins for desk settings).",
        )
    if error.status == 401:
        return QCoreApplication.translate(
            "SettingsPage", "Your sign-in has expired. Sign in again."
        )
    if error.status == 404:
        return QCoreApplication.translate("SettingsPage", "This no longer exists on the server.")
    if kind in ("missing", "required", "string_too_short"):
        return QCoreApplication.translate("SettingsPage", "This cannot be empty.")
    if kind == "string_too_long":
        return QCoreApplication.translate("SettingsPage", "This is too long.")
    if kind == "duplicate":
        return QCoreApplication.translate("SettingsPage", "This name is already taken.")
    if kind == "in_use":  # a 409 too, but not a stale edit
        return QCoreApplication.translate(
            "SettingsPage",
            "This cannot be deleted while it is in use (for example, tickets still in this "
            "stage). Move or change those first.",
        )
    if kind == "team_not_public":
        return QCoreApplication.translate(
            "SettingsPage",
            "Customers with a portal login may follow only a public team; make the team "
            "public first.",
        )
    if kind in ("stale", "conflict") or error.status == 409:
        return QCoreApplication.translate(
            "SettingsPage", "This was changed meanwhile; it was reloaded, check and save again."
        )
    if kind in ("greater_than_equal", "less_than_equal", "int_type", "value_error"):
        return QCoreApplication.translate("SettingsPage", "This value is out of range.")
    return QCoreApplication.translate("SettingsPage", "The server refused this: %1").replace(
        "%1", error.message
    )


def relabel(error: AdminError, rename: Mapping[str, str], in_use: str | None = None) -> None:
    """Point the server's field names at this page's boxes: `rename` maps a field's first
    part ("label" of "label.0"); `in_use` is the box that says a field-less "in use"."""
    for item in error.fields:
        head, _, rest = item.field.partition(".")
        if head in rename:
            item.field = rename[head] + (f".{rest}" if rest else "")
    if in_use is not None and error.code == "in_use" and not error.fields:
        error.fields.append(FieldError(in_use, error.message, error.code))


class SettingsPage(QWidget):
    """One page of the settings window. Subclasses build their widgets, `populate(data)`
    from the cache, name their fields in `self.fields` (server field -> widget) and call
    `self.call(...)` to change the server."""

    saved = Signal()
    """A change reached the server (the window pokes sync and reloads)."""

    def __init__(self, context: WindowContext, api: AdminApi | None) -> None:
        super().__init__()
        self.context = context
        self.api = api
        self.data: SettingsData | None = None
        self.fields: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.message = QLabel()
        self.message.setObjectName("pageMessage")
        self.message.setWordWrap(True)
        self.busy = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.confirmation: QMessageBox | None = None
        """The open "are you sure?" box, if any (window-modal, never blocking the loop)."""

    # --- editing ------------------------------------------------------------------------

    def editable(self) -> bool:
        """Whether the signed-in user may edit this page (the server decides anyway)."""
        return self.data is not None and self.data.may_supervise

    def error_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(f"error_{name}")
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        self.error_labels[name] = label
        return label

    def clear_errors(self) -> None:
        for label in self.error_labels.values():
            label.clear()
            label.hide()
        self.message.clear()
        self.message.setStyleSheet("")

    def show_error(self, error: AdminError | AdminOffline) -> None:
        """Beside each field the server named; otherwise on the page. Nothing typed is
        touched."""
        placed = False
        if isinstance(error, AdminError):
            for item in error.fields:
                name = item.field.split(".")[0]
                label = self.error_labels.get(name)
                if label is not None:
                    label.setText(error_text(error, item.type))
                    label.show()
                    widget = self.fields.get(name)
                    if widget is not None:
                        widget.setFocus()
                    placed = True
        if not placed:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(error_text(error))

    def call(
        self,
        work: Callable[[AdminApi], Awaitable[Any]],
        on_done: Callable[[Any], None] | None = None,
        *,
        rename: Mapping[str, str] | None = None,
        in_use: str | None = None,
    ) -> None:
        """Run `work` against the server on the qasync loop; errors shown (see `relabel`
        for `rename` and `in_use`), sync poked."""
        self.clear_errors()
        if self.api is None:
            self.show_error(AdminOffline("no server"))
            return
        api = self.api

        async def go() -> None:
            try:
                result = await work(api)
            except (AdminError, AdminOffline) as exc:
                if isinstance(exc, AdminError):
                    relabel(exc, rename or {}, in_use)
                self.show_error(exc)
                return
            else:
                self.message.setText(
                    QCoreApplication.translate("SettingsPage", "Saved on the server.")
                )
                if on_done is not None:
                    on_done(result)
                self.context.local_edit_done()
                self.saved.emit()
            finally:
                self.busy = False

        self.busy = True  # until the answer is shown
        task = asyncio.ensure_future(go())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def populate(self, data: SettingsData) -> None:
        self.data = data

    def confirm(self, question: str, action: str, on_yes: Callable[[], None]) -> None:
        """Ask before something that cannot be undone (a delete, a deactivation); `action`
        names the button that goes ahead. Cancel is the default and changes nothing."""
        box = QMessageBox(self)
        box.setObjectName("confirmation")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(QCoreApplication.translate("SettingsPage", "Are you sure?"))
        box.setText(question)
        box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Ok).setText(action)
        box.button(QMessageBox.StandardButton.Cancel).setText(
            QCoreApplication.translate("SettingsPage", "Cancel")
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def finished(result: int) -> None:
            self.confirmation = None
            if result == QMessageBox.StandardButton.Ok:
                on_yes()

        box.finished.connect(finished)
        self.confirmation = box
        box.open()
