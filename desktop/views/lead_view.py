"""A lead, read-only (O7): what a ticket was converted into, opened from the archived
ticket's header. Title, sales team, salesperson, customer, the ticket it came from,
when it was made (Jalali) and the description; "not yet synced" until the server holds it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from core.leads import LeadSummary, lead_summary
from desktop.context import WindowContext
from desktop.views.conversation_view import isolate_latin


class LeadView(QDialog):
    """One lead's facts; nothing here edits it."""

    def __init__(self, context: WindowContext, lead_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadView")
        self.setWindowTitle(self.tr("Lead"))
        self._context = context
        self.lead_id = lead_id
        self.summary: LeadSummary | None = None

        self.title_label = QLabel(self.tr("Loading…"))
        self.title_label.setObjectName("leadTitle")
        self.title_label.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.title_label.setWordWrap(True)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label in (
            ("sales_team", self.tr("Sales team")),
            ("salesperson", self.tr("Salesperson")),
            ("customer", self.tr("Customer")),
            ("account", self.tr("Account")),
            ("ticket", self.tr("From ticket")),
            ("created", self.tr("Created")),
            ("state", self.tr("Sync")),
        ):
            value = QLabel()
            value.setObjectName(f"lead_{key}")
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = value
            form.addRow(label, value)
        self.description = QTextBrowser()
        self.description.setObjectName("leadDescription")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("Close"))

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addLayout(form)
        layout.addWidget(self.description, 1)
        layout.addWidget(buttons)
        self.resize(520, 440)
        self.reload()

    def reload(self) -> None:
        lead_id = self.lead_id

        def work(session: Session) -> LeadSummary:
            return lead_summary(session, lead_id)

        def done(summary: LeadSummary) -> None:
            if isValid(self):
                self.show_summary(summary)

        def failed(_exc: BaseException) -> None:
            if isValid(self):
                self.title_label.setText(self.tr("This lead is not in the cache."))

        self._context.runner.submit(work, done, on_error=failed)

    def show_summary(self, s: LeadSummary) -> None:
        self.summary = s
        f = self._context.localization.formatter
        none = self.tr("—")
        self.title_label.setText(isolate_latin(s.title))
        self.setWindowTitle(self.tr("Lead: %1").replace("%1", s.title))
        customer = none
        if s.contact_name:
            customer = s.contact_name
            if s.contact_email:
                customer += f" — \u2066{s.contact_email}\u2069"
        if s.ticket_id is None:
            ticket = none
        else:
            number = (
                f"#{f.number(s.ticket_number)}"
                if s.ticket_number is not None
                else self.tr("pending")
            )
            ticket = f"{number} — {isolate_latin(s.ticket_title or '')}"
        shown = {
            "sales_team": s.sales_team or none,
            "salesperson": s.salesperson or none,
            "customer": customer,
            "account": s.account_name or none,
            "ticket": ticket,
            "created": f.date_time(s.created_at),
            "state": self.tr("On the server") if s.synced else self.tr("Not yet synced"),
        }
        for key, text in shown.items():
            # RLM: a value with no Persian letter (a date, an address) still reads RTL
            self.values[key].setText("\u200f" + text)
        self.description.setPlainText(s.description)


def open_lead_view(context: WindowContext, parent: QWidget | None, lead_id: str) -> LeadView:
    view = LeadView(context, lead_id, parent)
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    view.show()
    return view
