"""P6, S1: the customer file opened from a ticket in the queue (U key), with every
earlier ticket of the contact, archived ones too; opening one; the account's file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, or_, select

from core.db import session_factory
from core.local_edits import archive_ticket_locally
from core.models import Contact, Ticket
from core.models.ticket import ticket_contacts
from desktop.app import OpenCache
from desktop.views.customer_file import CustomerFileDialog
from tests.desktop.conftest import Desk

# the offscreen platform cannot raise a window (opening a ticket raises its view)
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def _contact_tickets(desk: Desk, contact_id: str) -> set[str]:
    engine = desk.engine()
    try:
        with session_factory(engine)() as session:
            linked = select(ticket_contacts.c.ticket_id).where(
                ticket_contacts.c.contact_id == contact_id
            )
            return set(
                session.scalars(
                    select(Ticket.id).where(
                        or_(Ticket.contact_id == contact_id, Ticket.id.in_(linked))
                    )
                )
            )
    finally:
        engine.dispose()


@pytest.fixture
def busy_contact(desk: Desk) -> tuple[str, str, str]:
    """A contact with several tickets and an account: (contact id, a ticket shown in the
    "all" queue, one archived ticket of theirs). One ticket is archived here, locally."""
    engine = desk.engine()
    try:
        with session_factory(engine)() as session:
            contact_id = session.scalars(
                select(Ticket.contact_id)
                .join(Contact, Contact.id == Ticket.contact_id)
                .where(Contact.account_id.is_not(None))
                .group_by(Ticket.contact_id)
                .having(func.count() >= 3)
                .order_by(func.count().desc(), Ticket.contact_id)
            ).first()
            assert contact_id is not None
            mine = list(
                session.scalars(
                    select(Ticket).where(Ticket.contact_id == contact_id).order_by(Ticket.number)
                )
            )
            visible = [t.id for t in mine if not t.archived]
            archived = [t.id for t in mine if t.archived]
            if not archived:
                archive_ticket_locally(session, visible[-1])
                archived = [visible.pop()]
            return contact_id, visible[0], archived[0]
    finally:
        engine.dispose()


def test_p6_customer_file_lists_every_ticket_incl_archived_and_opens_one(
    qtbot: QtBot, desk: Desk, opened: OpenCache, busy_contact: tuple[str, str, str]
) -> None:
    contact_id, shown_id, archived_id = busy_contact
    window = opened.window
    window.ticket_actions.select_ids([shown_id])
    assert window.ticket_actions.selected_ids() == [shown_id]
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(window.table.hasFocus)
    QTest.keyClick(window.table, Qt.Key.Key_U)
    qtbot.waitUntil(lambda: window.findChild(CustomerFileDialog, "customerFile") is not None)
    dialog = window.findChild(CustomerFileDialog, "customerFile")
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.file is not None)

    expected = _contact_tickets(desk, contact_id)
    assert len(expected) >= 3
    assert set(dialog.ticket_ids()) == expected
    assert archived_id in dialog.ticket_ids()
    archived_row = dialog.ticket_ids().index(archived_id)
    assert "بایگانی" in dialog.table.item(archived_row, 2).text()  # type: ignore[union-attr]
    assert dialog.isRightToLeft()
    assert dialog.summary_label.text().startswith(
        f"{window._context.localization.formatter.number(len(expected))} تیکت"
    )

    # open one: the window's ticket view when it has one, the signal always
    qtbot.waitExposed(dialog)
    dialog.table.setCurrentCell(archived_row, 1)
    dialog.table.setFocus()
    with qtbot.waitSignal(dialog.ticket_requested, timeout=5_000) as blocker:
        QTest.keyClick(dialog.table, Qt.Key.Key_Return)
    assert blocker.args == [archived_id]

    dialog.resize(900, 520)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "customer_file_fa.png"
    assert dialog.grab().save(str(target))
    assert target.stat().st_size > 10_000

    # S1: the contact's account, with the tickets of all its contacts
    assert dialog.switch_button.isVisible()
    with qtbot.waitSignal(dialog.loaded, timeout=5_000):
        dialog.switch_button.click()
    assert dialog.file is not None and dialog.file.kind == "account"
    assert expected <= set(dialog.ticket_ids())
    dialog.close()
