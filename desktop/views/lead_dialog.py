"""The convert-to-lead dialog (O7, D5): who the lead is for (a new customer made from the
ticket's contact, an existing contact or account found as the agent types, or nobody),
the sales team and one of its salespeople.

Converting is a local edit (core.leads.convert_to_lead_locally, on the DB worker): the
lead, the "converted to lead" line in the ticket's conversation and the archived ticket
show at once, and the intent syncs when the server is reachable. A refusal is said in the
agent's language beside the field it concerns; nothing typed or picked is lost.

    dialog = open_lead_dialog(context, parent, ticket_id)
    dialog.converted.connect(...)   # the lead's id, after the local edit landed
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from core.enums import LeadCustomerMode
from core.errors import DomainError, ValidationError
from core.leads import ConversionStart, Person, conversion_start, convert_to_lead_locally
from core.ticket_form import Related
from desktop.context import WindowContext
from desktop.models.ticket_form_model import related_text
from desktop.views.conversation_view import isolate_latin
from desktop.views.related_search import RelatedSearch

ERROR_STYLE = "QLabel[problem=true] { color: #b00020; }"


def refusal_text(exc: DomainError) -> str:
    """A refused conversion in the agent's language (the core's codes); the core's own
    English message when the code is not one the window knows."""
    field = exc.field if isinstance(exc, ValidationError) else ""
    known = {
        ("new_customer_name", "required"): QCoreApplication.translate(
            "LeadDialog", "Write the new customer's name."
        ),
        ("new_customer_name", "too_long"): QCoreApplication.translate(
            "LeadDialog", "The name is longer than 200 characters."
        ),
        ("existing_contact_id", "required"): QCoreApplication.translate(
            "LeadDialog", "Search and pick a contact or an account."
        ),
        ("existing_contact_id", "not_found"): QCoreApplication.translate(
            "LeadDialog", "That contact is no longer in the cache."
        ),
        ("existing_account_id", "not_found"): QCoreApplication.translate(
            "LeadDialog", "That account is no longer in the cache."
        ),
        ("existing_contact_id", "other_account"): QCoreApplication.translate(
            "LeadDialog", "That contact belongs to another account."
        ),
        ("sales_team_id", "not_found"): QCoreApplication.translate(
            "LeadDialog", "That sales team is no longer in the cache."
        ),
        ("salesperson_id", "not_found"): QCoreApplication.translate(
            "LeadDialog", "The salesperson is not an active staff user."
        ),
        ("salesperson_id", "not_in_team"): QCoreApplication.translate(
            "LeadDialog", "The salesperson is not a member of this sales team."
        ),
        ("", "already_converted"): QCoreApplication.translate(
            "LeadDialog", "This ticket is already converted to a lead."
        ),
        ("", "already_merged"): QCoreApplication.translate(
            "LeadDialog", "This ticket is merged into another."
        ),
        ("", "archived"): QCoreApplication.translate("LeadDialog", "This ticket is archived."),
        ("", "ticket_not_found"): QCoreApplication.translate(
            "LeadDialog", "This ticket is no longer in the cache."
        ),
        ("", "not_found"): QCoreApplication.translate(
            "LeadDialog", "This ticket is no longer in the cache."
        ),
    }
    return known.get((field, exc.code), exc.message)


class LeadDialog(QDialog):
    """Convert one ticket to a lead."""

    converted = Signal(str)
    """The conversion landed in the cache (the new lead's id)."""

    def __init__(
        self, context: WindowContext, ticket_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("leadDialog")
        self.setWindowTitle(self.tr("Convert to lead"))
        self.setStyleSheet(ERROR_STYLE)
        self._context = context
        self.ticket_id = ticket_id
        self.start: ConversionStart | None = None
        self.picked: Related | None = None
        self._busy = False

        self.ticket_label = QLabel(self.tr("Loading…"))
        self.ticket_label.setObjectName("leadTicket")
        self.ticket_label.setWordWrap(True)
        self.banner = QLabel()
        self.banner.setObjectName("errorBanner")
        self.banner.setProperty("problem", True)
        self.banner.setWordWrap(True)
        self.banner.hide()

        customer_box = self._build_customer()
        sales_box = self._build_sales()

        self.buttons = QDialogButtonBox()
        self.convert_button = QPushButton(self.tr("Convert"))
        self.convert_button.setObjectName("convert")
        self.convert_button.setEnabled(False)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.buttons.addButton(self.convert_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.convert_button.clicked.connect(self.convert)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.ticket_label)
        layout.addWidget(self.banner)
        layout.addWidget(customer_box)
        layout.addWidget(sales_box)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.modes.buttonToggled.connect(self._mode_changed)
        self.customer_search.picked.connect(self.pick_customer)
        self.team.currentIndexChanged.connect(self._team_changed)
        self._mode_changed()
        self.resize(560, 520)
        self._load()

    def _build_customer(self) -> QGroupBox:
        self.create_radio = QRadioButton(self.tr("Create a new customer from the ticket's contact"))
        self.create_radio.setObjectName("customerCreate")
        self.link_radio = QRadioButton(self.tr("Link to an existing customer"))
        self.link_radio.setObjectName("customerLink")
        self.none_radio = QRadioButton(self.tr("No customer"))
        self.none_radio.setObjectName("customerNone")
        self.modes = QButtonGroup(self)
        for radio in (self.create_radio, self.link_radio, self.none_radio):
            self.modes.addButton(radio)
        self.create_radio.setChecked(True)

        self.new_name = QLineEdit()
        self.new_name.setObjectName("newCustomerName")
        self.new_name.setPlaceholderText(self.tr("The new customer's name"))
        self.new_email = QLabel()
        self.new_email.setObjectName("newCustomerEmail")

        self.search = QLineEdit()
        self.search.setObjectName("customerSearch")
        self.search.setPlaceholderText(
            self.tr("Search a contact or account by name, email or mobile")
        )
        self.search.setClearButtonEnabled(True)
        self.customer_search = RelatedSearch(
            self._context.runner, self.search, self, popup_name="customerSuggestions"
        )
        self.suggestions = self.customer_search.suggestions
        self.completer = self.customer_search.completer
        self.picked_label = QLabel(self.tr("No customer picked yet."))
        self.picked_label.setObjectName("customerPicked")
        self.picked_label.setTextFormat(Qt.TextFormat.PlainText)

        customer_box = QGroupBox(self.tr("Customer"))
        customer = QVBoxLayout(customer_box)
        customer.addWidget(self.create_radio)
        create_form = QFormLayout()
        create_form.addRow(self.tr("Name"), self.new_name)
        create_form.addRow(self.tr("Email"), self.new_email)
        customer.addLayout(create_form)
        customer.addWidget(self.link_radio)
        customer.addWidget(self.search)
        customer.addWidget(self.picked_label)
        customer.addWidget(self.none_radio)
        self.customer_problem = self._problem_label("customerProblem")
        customer.addWidget(self.customer_problem)
        return customer_box

    def _build_sales(self) -> QGroupBox:
        self.team = QComboBox()
        self.team.setObjectName("salesTeam")
        self.salesperson = QComboBox()
        self.salesperson.setObjectName("salesperson")
        self.sales_problem = self._problem_label("salesProblem")
        sales_box = QGroupBox(self.tr("Sales"))
        sales = QFormLayout(sales_box)
        sales.addRow(self.tr("Sales team"), self.team)
        sales.addRow(self.tr("Salesperson"), self.salesperson)
        sales.addRow(self.sales_problem)
        return sales_box

    def _problem_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setProperty("problem", True)
        label.setWordWrap(True)
        label.hide()
        return label

    # --- loading ----------------------------------------------------------------------

    def _load(self) -> None:
        ticket_id = self.ticket_id

        def work(session: Session) -> ConversionStart:
            return conversion_start(session, ticket_id)

        def done(start: ConversionStart) -> None:
            if isValid(self):
                self._started(start)

        def failed(exc: BaseException) -> None:
            if isValid(self):
                reason = exc if isinstance(exc, DomainError) else DomainError(str(exc))
                self._show_problem(refusal_text(reason), None)

        self._context.runner.submit(work, done, on_error=failed)

    def _started(self, start: ConversionStart) -> None:
        self.start = start
        f = self._context.localization.formatter
        number = f"#{f.number(start.number)}" if start.number is not None else self.tr("pending")
        self.ticket_label.setText(
            self.tr("Ticket %1 — %2")
            .replace("%1", number)
            .replace("%2", isolate_latin(start.title))
        )
        if not self.new_name.text():
            self.new_name.setText(start.contact_name or start.contact_email.split("@")[0])
        self.new_email.setText(f"\u200f\u2066{start.contact_email}\u2069")
        self.team.blockSignals(True)
        self.team.clear()
        self.team.addItem(self.tr("(no sales team)"), None)
        for team in start.sales_teams:
            self.team.addItem(team.name, team.id)
        self.team.blockSignals(False)
        self.team.setCurrentIndex(1 if start.sales_teams else 0)
        self._team_changed()
        if start.lead_id is not None or start.merged or start.archived:
            code = (
                "already_converted"
                if start.lead_id is not None
                else "already_merged"
                if start.merged
                else "archived"
            )
            self._show_problem(refusal_text(DomainError("", code=code)), None)
            return
        self.convert_button.setEnabled(True)

    # --- customer ---------------------------------------------------------------------

    @Slot()
    def _mode_changed(self) -> None:
        create = self.create_radio.isChecked()
        link = self.link_radio.isChecked()
        self.new_name.setEnabled(create)
        self.search.setEnabled(link)
        self.picked_label.setEnabled(link)

    def mode(self) -> LeadCustomerMode:
        if self.create_radio.isChecked():
            return LeadCustomerMode.CREATE
        if self.link_radio.isChecked():
            return LeadCustomerMode.LINK
        return LeadCustomerMode.NONE

    @Slot(object)
    def pick_customer(self, related: Related) -> None:
        self.picked = related
        self.picked_label.setText(self.tr("Linked to: %1").replace("%1", related_text(related)))
        self.link_radio.setChecked(True)
        self.customer_problem.hide()

    # --- sales ------------------------------------------------------------------------

    @Slot()
    def _team_changed(self) -> None:
        start = self.start
        if start is None:
            return
        keep = self.salesperson.currentData()
        team_id = self.team.currentData()
        people: tuple[Person, ...] = start.salespeople
        for team in start.sales_teams:
            if team.id == team_id:
                people = team.members
        self.salesperson.clear()
        self.salesperson.addItem(self.tr("(no salesperson)"), None)
        for person in people:
            self.salesperson.addItem(person.name, person.id)
        found = self.salesperson.findData(keep) if keep is not None else -1
        self.salesperson.setCurrentIndex(max(found, 0))

    # --- converting -------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """What convert_to_lead_locally gets from the dialog as it stands."""
        mode = self.mode()
        picked = self.picked if mode is LeadCustomerMode.LINK else None
        return {
            "customer_mode": mode,
            "new_customer_name": self.new_name.text() if mode is LeadCustomerMode.CREATE else None,
            "existing_contact_id": picked.contact_id if picked is not None else None,
            "existing_account_id": (
                picked.id if picked is not None and picked.contact_id is None else None
            ),
            "sales_team_id": self.team.currentData(),
            "salesperson_id": self.salesperson.currentData(),
        }

    @Slot()
    def convert(self) -> None:
        if self._busy or self.start is None:
            return
        self._clear_problems()
        values = self.values()
        if (
            values["customer_mode"] is LeadCustomerMode.CREATE
            and not values["new_customer_name"].strip()
        ):
            self._show_problem(
                QCoreApplication.translate("LeadDialog", "Write the new customer's name."),
                "new_customer_name",
            )
            return
        if values["customer_mode"] is LeadCustomerMode.LINK and self.picked is None:
            self._show_problem(
                QCoreApplication.translate(
                    "LeadDialog", "Search and pick a contact or an account."
                ),
                "existing_contact_id",
            )
            return
        self._busy = True
        self.convert_button.setEnabled(False)
        ticket_id, actor = self.ticket_id, self._context.user_id

        def work(session: Session) -> str:
            return convert_to_lead_locally(session, ticket_id, actor_id=actor, **values).id

        self._context.runner.submit(work, self._converted, on_error=self._refused)

    def _converted(self, lead_id: str) -> None:
        self._busy = False
        self._context.local_edit_done()
        if isValid(self):
            self.converted.emit(lead_id)
            self.accept()

    def _refused(self, exc: BaseException) -> None:
        """Said where it belongs; every typed value and choice stays."""
        self._busy = False
        if not isValid(self):
            return
        self.convert_button.setEnabled(True)
        if isinstance(exc, DomainError):
            field = exc.field if isinstance(exc, ValidationError) else None
            self._show_problem(refusal_text(exc), field)
        else:
            self._show_problem(
                self.tr("The conversion could not be saved in the local cache:\n%1").replace(
                    "%1", str(exc)
                ),
                None,
            )

    def _clear_problems(self) -> None:
        for label in (self.banner, self.customer_problem, self.sales_problem):
            label.clear()
            label.hide()

    def _show_problem(self, text: str, field: str | None) -> None:
        if field in ("new_customer_name", "existing_contact_id", "existing_account_id"):
            label = self.customer_problem
        elif field in ("sales_team_id", "salesperson_id"):
            label = self.sales_problem
        else:
            label = self.banner
        label.setText(text)
        label.show()

    def problem_text(self) -> str:
        """Every problem the dialog shows now (for tests and accessibility)."""
        return "\n".join(
            label.text()
            for label in (self.banner, self.customer_problem, self.sales_problem)
            if not label.isHidden() and label.text()
        )


def open_lead_dialog(context: WindowContext, parent: QWidget, ticket_id: str) -> LeadDialog:
    """Open the convert-to-lead dialog for a ticket (window-modal, deleted on close)."""
    dialog = LeadDialog(context, ticket_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    return dialog
