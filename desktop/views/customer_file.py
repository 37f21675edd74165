"""The customer's file (P6, S1): a contact or an account with its details and every
earlier ticket (all statuses, archived ones too); open any of them, move between a
contact and its account, or start a new ticket for this customer."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from core.customer_file import CustomerFile, account_file, contact_file, ticket_customer
from core.enums import Status
from desktop.context import WindowContext

TicketIdRole = Qt.ItemDataRole.UserRole + 1


def _status(status: Status) -> str:
    if status is Status.NEW:
        return QCoreApplication.translate("CustomerFile", "New")
    if status is Status.IN_PROGRESS:
        return QCoreApplication.translate("CustomerFile", "In progress")
    return QCoreApplication.translate("CustomerFile", "Closed")


class CustomerFileDialog(QDialog):
    """One customer's file; `ticket_requested(ticket_id)` when the agent opens a ticket."""

    ticket_requested = Signal(str)
    loaded = Signal()
    """The file on show was read and painted."""

    COLUMNS = ("Number", "Title", "Stage", "Team", "Assignee", "Created", "Updated")

    def __init__(
        self,
        context: WindowContext,
        parent: QWidget | None = None,
        *,
        open_ticket: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._open_ticket = open_ticket
        self._generation = 0
        self.file: CustomerFile | None = None
        self.setObjectName("customerFile")
        self.setWindowTitle(self.tr("Customer file"))
        self.resize(820, 520)

        self._make_labels()
        self.link_title = QLabel()
        self.details.addRow(self.link_title, self.link_label)

        self.table = self._make_table()

        self.open_button = QPushButton(self.tr("Open ticket"))
        self.open_button.setObjectName("openTicket")
        self.open_button.clicked.connect(self.open_selected)
        self.new_button = QPushButton(self.tr("New ticket for this customer"))
        self.new_button.setObjectName("newTicketForCustomer")
        self.new_button.clicked.connect(self.new_ticket)
        self.switch_button = QPushButton()
        self.switch_button.setObjectName("switchFile")
        self.switch_button.clicked.connect(self._switch)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.name_label)
        layout.addLayout(self.details)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def _make_labels(self) -> None:
        self.name_label = QLabel()
        self.name_label.setObjectName("customerName")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.name_label.setFont(font)
        self.email_label = QLabel()
        self.phone_label = QLabel()
        self.link_label = QLabel()  # the contact's account, or the account's contacts
        self.link_label.setWordWrap(True)
        self.summary_label = QLabel()
        for label in (self.email_label, self.phone_label, self.link_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = details = QFormLayout()
        # values sit beside their labels; an email (left-to-right) never drifts to the far side
        details.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        details.addRow(self.tr("Email"), self.email_label)
        details.addRow(self.tr("Phone"), self.phone_label)

    def _make_table(self) -> QTableWidget:
        table = QTableWidget(0, len(self.COLUMNS))
        table.setObjectName("customerTickets")
        table.setHorizontalHeaderLabels(
            [
                self.tr("Number"),
                self.tr("Title"),
                self.tr("Stage"),
                self.tr("Team"),
                self.tr("Assignee"),
                self.tr("Created"),
                self.tr("Updated"),
            ]
        )
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # Enter or double-click (the style decides) opens the ticket
        table.activated.connect(lambda index: self._open_row(index.row()))
        table.itemSelectionChanged.connect(self._update_buttons)
        return table

    # --- loading ----------------------------------------------------------------------

    def show_contact(self, contact_id: str) -> None:
        self._load(lambda session: contact_file(session, contact_id))

    def show_account(self, account_id: str) -> None:
        self._load(lambda session: account_file(session, account_id))

    def _load(self, work: Callable[[Session], CustomerFile]) -> None:
        self._generation += 1
        generation = self._generation

        def done(found: CustomerFile) -> None:
            if generation == self._generation:
                self._fill(found)

        def failed(exc: BaseException) -> None:
            QMessageBox.warning(
                self,
                self.tr("Customer file"),
                self.tr("This customer's file could not be read: %1").replace("%1", str(exc)),
            )

        self._context.runner.submit(work, done, on_error=failed)

    def _fill(self, found: CustomerFile) -> None:
        formatter = self._context.localization.formatter
        now = self._context.clock()
        self.file = found
        kind = self.tr("Contact") if found.kind == "contact" else self.tr("Account")
        self.setWindowTitle(self.tr("Customer file: %1").replace("%1", found.name))
        self.name_label.setText(f"{found.name} — {kind}")
        self.email_label.setText(found.email or "—")
        self.phone_label.setText(found.phone or "—")
        if found.kind == "contact":
            self.link_title.setText(self.tr("Account"))
            self.link_label.setText(found.account.name if found.account else "—")
            self.switch_button.setText(self.tr("Account file"))
            self.switch_button.setVisible(found.account is not None)
        else:
            self.link_title.setText(self.tr("Contacts"))
            self.link_label.setText("، ".join(c.name for c in found.contacts) or "—")
            self.switch_button.setVisible(False)
        self.summary_label.setText(
            self.tr("%1 tickets, %2 open")
            .replace("%1", formatter.number(found.total))
            .replace("%2", formatter.number(found.open_count))
        )
        self.table.setRowCount(len(found.tickets))
        for row, ticket in enumerate(found.tickets):
            number = (
                formatter.number(ticket.number) if ticket.number is not None else self.tr("pending")
            )
            stage = ticket.stage or _status(ticket.status)
            if ticket.archived:
                stage = self.tr("%1 (archived)").replace("%1", stage)
            cells = [
                number,
                ticket.title,
                stage,
                ticket.team or "—",
                ticket.assignee or "—",
                formatter.date(ticket.created_at),
                formatter.updated(ticket.updated_at, now),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(TicketIdRole, ticket.id)
                if ticket.archived or ticket.status is Status.CLOSED:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, item)
        if found.tickets:
            self.table.setCurrentCell(0, 1)  # selectRow picks no column under RTL
        self._update_buttons()
        self.loaded.emit()

    # --- actions ----------------------------------------------------------------------

    def ticket_ids(self) -> list[str]:
        items = (self.table.item(r, 0) for r in range(self.table.rowCount()))
        return [str(item.data(TicketIdRole)) for item in items if item is not None]

    @Slot()
    def _update_buttons(self) -> None:
        self.open_button.setEnabled(bool(self.table.selectedItems()))
        self.new_button.setEnabled(self.file is not None)

    @Slot()
    def open_selected(self) -> None:
        items = self.table.selectedItems()
        if items:
            self._open_row(items[0].row())

    def _open_row(self, row: int) -> None:
        item = self.table.item(row, 0)
        if item is None:
            return
        ticket_id = str(item.data(TicketIdRole))
        self.ticket_requested.emit(ticket_id)
        if self._open_ticket is not None:
            self._open_ticket(ticket_id)

    @Slot()
    def _switch(self) -> None:
        if self.file is not None and self.file.account is not None:
            self.show_account(self.file.account.id)

    @Slot()
    def new_ticket(self) -> None:
        """The ticket form, prefilled with this customer (P1)."""
        if self.file is None:
            return
        try:
            ticket_form: object = importlib.import_module("desktop.views.ticket_form")
        except ImportError:
            ticket_form = None
        opener = getattr(ticket_form, "open_new_ticket", None)
        if opener is None:
            QMessageBox.information(
                self,
                self.tr("New ticket"),
                self.tr("The ticket form is not available in this version."),
            )
            return
        if self.file.kind == "contact":
            opener(self._context, self.parentWidget() or self, contact_id=self.file.id)
        else:
            opener(self._context, self.parentWidget() or self, account_id=self.file.id)


def open_customer_file(
    context: WindowContext,
    parent: QWidget,
    *,
    contact_id: str | None = None,
    account_id: str | None = None,
) -> CustomerFileDialog:
    """Show a contact's (or else an account's) file, non-modal, beside the window."""
    dialog = CustomerFileDialog(context, parent, open_ticket=getattr(parent, "open_ticket", None))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if contact_id is not None:
        dialog.show_contact(contact_id)
    elif account_id is not None:
        dialog.show_account(account_id)
    dialog.show()
    return dialog


def open_customer_file_for_ticket(
    context: WindowContext, parent: QWidget, ticket_id: str
) -> CustomerFileDialog | None:
    """The file of a ticket's contact, or of its account when it has no contact."""
    with context.runner.session_factory() as session:
        contact_id, account_id = ticket_customer(session, ticket_id)
    if contact_id is None and account_id is None:
        QMessageBox.information(
            parent,
            QCoreApplication.translate("CustomerFile", "Customer file"),
            QCoreApplication.translate("CustomerFile", "This ticket has no contact or account."),
        )
        return None
    return open_customer_file(context, parent, contact_id=contact_id, account_id=account_id)
