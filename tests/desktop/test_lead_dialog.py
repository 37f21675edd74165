"""O7, D5: converting a ticket to a lead through the dialog, on real widgets over a real
cache, then a real sync to a real server on loopback: the server holds the lead linked
to the archived ticket, a second agent's cache shows both, and the lead opens from the
archived ticket. A refusal is said in Persian and keeps what the agent chose."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import delete, select

from core.cache import open_cache
from core.db import session_factory
from core.enums import MessageKind, Role
from core.models import Contact, Lead, Message, OutboxMutation, Ticket, User, sales_team_members
from core.system_events import SystemEvent
from desktop.app import OpenCache
from desktop.views.lead_dialog import LeadDialog
from desktop.views.lead_view import LeadView
from desktop.views.main_window import MainWindow
from tests.desktop.conftest import Desk

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def _in_cache(path: Path, fn):  # type: ignore[no-untyped-def]
    engine = open_cache(path)
    try:
        with session_factory(engine)() as session:
            result = fn(session)
            session.expunge_all()
            return result
    finally:
        engine.dispose()


def _type(widget: QWidget, text: str) -> None:
    """Type `text` key by key, Persian letters too (QTest.keyClicks knows only ASCII)."""
    widget.setFocus()
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
            QApplication.sendEvent(widget, event)


def _ticket_with_contact(desk: Desk, window: MainWindow) -> Ticket:
    shown = {window.model.ticket_id(r) for r in range(window.model.rowCount())}

    def pick(session):  # type: ignore[no-untyped-def]
        rows = session.scalars(
            select(Ticket)
            .where(Ticket.archived.is_(False), Ticket.contact_id.is_not(None))
            .where(Ticket.lead_id.is_(None), Ticket.number.is_not(None))
            .order_by(Ticket.number)
        )
        return next(t for t in rows if t.id in shown)

    ticket: Ticket = _in_cache(desk.cache_path, pick)
    return ticket


def _open_dialog(qtbot: QtBot, window: MainWindow, ticket_id: str) -> LeadDialog:
    """Select the ticket, right-click it and choose "Convert to lead…"."""
    model, table = window.model, window.table
    row = next(r for r in range(model.rowCount()) if model.ticket_id(r) == ticket_id)
    window.ticket_actions.select_rows([row])
    table.setFocus(Qt.FocusReason.OtherFocusReason)
    rect = table.visualRect(model.index(row, 1))
    table.customContextMenuRequested.emit(rect.center())
    menu = table.findChild(QMenu, "ticketContextMenu")
    assert menu is not None
    qtbot.waitUntil(menu.isVisible)
    action = next(a for a in menu.actions() if a.objectName() == "convertToLead")
    assert action.isVisible() and action.isEnabled()
    assert action.text() == "تبدیل به سرنخ فروش…"
    menu.setActiveAction(action)
    QTest.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.findChild(LeadDialog, "leadDialog") is not None)
    dialog = window.findChild(LeadDialog, "leadDialog")
    assert isinstance(dialog, LeadDialog)
    qtbot.waitUntil(lambda: dialog.start is not None and dialog.convert_button.isEnabled())
    return dialog


def _choose_sales(dialog: LeadDialog) -> tuple[str, str]:
    """The first sales team with members, and its first member."""
    assert dialog.start is not None
    team = next(t for t in dialog.start.sales_teams if t.members)
    dialog.team.setCurrentIndex(dialog.team.findData(team.id))
    person = team.members[0]
    ids = [dialog.salesperson.itemData(i) for i in range(dialog.salesperson.count())]
    assert ids == [None, *(m.id for m in team.members)], "only the team's members are offered"
    dialog.salesperson.setCurrentIndex(dialog.salesperson.findData(person.id))
    return team.id, person.id


def _convert(qtbot: QtBot, dialog: LeadDialog) -> str:
    with qtbot.waitSignal(dialog.converted, timeout=10_000) as signal:
        QTest.mouseClick(dialog.convert_button, Qt.MouseButton.LeftButton)
    lead_id = signal.args[0]
    assert isinstance(lead_id, str)
    return lead_id


def _server_ticket(desk: Desk, ticket_id: str) -> dict[str, object]:
    with desk.api() as api:
        reply = api.get(f"/tickets/{ticket_id}")
        assert reply.status_code == 200, reply.text
        data: dict[str, object] = reply.json()
        return data


def _server_lead(desk: Desk, lead_id: str) -> Lead:
    with desk.server.sessions() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None, "the server made the lead under the client's id"
        session.expunge(lead)
        return lead


def _events(session, ticket_id: str) -> list[Message]:  # type: ignore[no-untyped-def]
    return list(
        session.scalars(
            select(Message).where(
                Message.ticket_id == ticket_id,
                Message.kind == MessageKind.SYSTEM_EVENT,
                Message.event == SystemEvent.CONVERTED_TO_LEAD.value,
            )
        )
    )


def _pushed(desk: Desk) -> None:
    desk.sync()

    def states(session):  # type: ignore[no-untyped-def]
        return [(m.name, m.state, m.reason) for m in session.scalars(select(OutboxMutation))]

    left = [s for s in _in_cache(desk.cache_path, states) if s[1] != "applied"]
    assert left == [], "every intent was applied"


def test_o7_d5_convert_with_a_new_customer_reaches_the_server_and_a_second_client(
    qtbot: QtBot, desk: Desk, opened: OpenCache, tmp_path: Path
) -> None:
    window = opened.window
    ticket = _ticket_with_contact(desk, window)
    dialog = _open_dialog(qtbot, window, ticket.id)
    assert dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert dialog.create_radio.isChecked(), "a new customer from the ticket's contact"
    assert dialog.new_name.text(), "the name comes from the ticket's contact"
    dialog.new_name.clear()
    _type(dialog.new_name, "شرکت كيان")  # Arabic kaf and yeh, as typed
    team_id, person_id = _choose_sales(dialog)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "lead_dialog_fa.png"
    assert dialog.grab().save(str(target))

    lead_id = _convert(qtbot, dialog)
    # the queue refreshed: the archived ticket's row is gone
    qtbot.waitUntil(
        lambda: ticket.id not in {window.model.ticket_id(r) for r in range(window.model.rowCount())}
    )

    def local(session):  # type: ignore[no-untyped-def]
        t = session.get(Ticket, ticket.id)
        return t.archived, t.lead_id, len(_events(session, ticket.id))

    assert _in_cache(desk.cache_path, local) == (True, lead_id, 1)

    _pushed(desk)
    server_ticket = _server_ticket(desk, ticket.id)
    assert server_ticket["archived"] is True
    assert server_ticket["lead_id"] == lead_id
    lead = _server_lead(desk, lead_id)
    assert lead.ticket_id == ticket.id
    assert (lead.sales_team_id, lead.salesperson_id) == (team_id, person_id)
    with desk.server.sessions() as session:
        contact = session.get(Contact, lead.contact_id)
        assert contact is not None and contact.name == "شرکت كيان"
        assert contact.email == ticket.contact_email
        events = _events(session, ticket.id)
        assert len(events) == 1 and "شرکت" not in events[0].body
        assert ticket.title in events[0].body  # 'Converted to lead "<title>" ...'
    # after the pull the first cache holds one conversion line, not one of its own beside
    # the server's
    assert _in_cache(desk.cache_path, local) == (True, lead_id, 1)

    # a second client: a supervisor's cache, synced from scratch
    with desk.server.sessions() as session:
        boss = session.scalars(
            select(User).where(User.role.in_([Role.ADMIN, Role.SUPERVISOR]), User.active)
        ).first()
        assert boss is not None
        boss_id = boss.id
    second = tmp_path / "second.sqlite3"
    open_cache(second).dispose()
    desk.sync(second, desk.server.token_for(boss_id))

    def seen(session):  # type: ignore[no-untyped-def]
        t = session.get(Ticket, ticket.id)
        lead = session.get(Lead, lead_id)
        return (
            t.archived,
            t.lead_id,
            lead.ticket_id if lead else None,
            lead.salesperson_id if lead else None,
            len(_events(session, ticket.id)),
        )

    assert _in_cache(second, seen) == (True, lead_id, ticket.id, person_id, 1)


def test_o7_link_to_an_existing_customer_found_by_search(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    window = opened.window
    ticket = _ticket_with_contact(desk, window)

    def other_contact(session):  # type: ignore[no-untyped-def]
        return session.scalars(
            select(Contact).where(Contact.id != ticket.contact_id).order_by(Contact.name)
        ).first()

    wanted: Contact = _in_cache(desk.cache_path, other_contact)
    dialog = _open_dialog(qtbot, window, ticket.id)
    dialog.link_radio.click()
    assert dialog.search.isEnabled() and not dialog.new_name.isEnabled()
    _type(dialog.search, wanted.name.split()[0])
    popup = dialog.completer.popup()
    qtbot.waitUntil(lambda: popup.isVisible() and dialog.suggestions.rowCount() > 0)
    row = next(
        (
            r
            for r in range(dialog.suggestions.rowCount())
            if (hit := dialog.suggestions.related_at(r)) is not None and hit.id == wanted.id
        ),
        None,
    )
    assert row is not None, "the contact is among the suggestions"
    popup.setCurrentIndex(dialog.completer.completionModel().index(row, 0))
    QTest.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.picked is not None)
    assert wanted.name in dialog.picked_label.text()
    dialog.team.setCurrentIndex(0)  # no sales team: any active staff user
    lead_id = _convert(qtbot, dialog)

    _pushed(desk)
    lead = _server_lead(desk, lead_id)
    assert (lead.contact_id, lead.account_id) == (wanted.id, wanted.account_id)
    assert lead.sales_team_id is None
    assert _server_ticket(desk, ticket.id)["archived"] is True


def test_o7_convert_with_no_customer(qtbot: QtBot, desk: Desk, opened: OpenCache) -> None:
    window = opened.window
    ticket = _ticket_with_contact(desk, window)
    dialog = _open_dialog(qtbot, window, ticket.id)
    dialog.none_radio.click()
    _choose_sales(dialog)
    contacts_before = _in_cache(desk.cache_path, lambda s: s.query(Contact).count())
    lead_id = _convert(qtbot, dialog)
    assert _in_cache(desk.cache_path, lambda s: s.query(Contact).count()) == contacts_before

    _pushed(desk)
    lead = _server_lead(desk, lead_id)
    assert (lead.contact_id, lead.account_id, lead.ticket_id) == (None, None, ticket.id)


def test_o7_the_lead_opens_from_the_archived_ticket(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    window = opened.window
    ticket = _ticket_with_contact(desk, window)
    view = window.open_ticket(ticket.id)
    qtbot.addWidget(view)
    qtbot.waitUntil(view.convert_button.isVisible)
    assert not view.lead_button.isVisible()
    QTest.mouseClick(view.convert_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.findChild(LeadDialog, "leadDialog") is not None)
    dialog = view.findChild(LeadDialog, "leadDialog")
    assert isinstance(dialog, LeadDialog)
    qtbot.waitUntil(dialog.convert_button.isEnabled)
    _team_id, person_id = _choose_sales(dialog)
    salesperson = dialog.salesperson.currentText()
    _convert(qtbot, dialog)
    # the queue window hears of it: the row leaves the queue
    qtbot.waitUntil(
        lambda: ticket.id not in {window.model.ticket_id(r) for r in range(window.model.rowCount())}
    )
    qtbot.waitUntil(view.lead_button.isVisible)
    assert not view.convert_button.isVisible()
    assert ticket.title in view.lead_button.text()
    # the conversation says so, in Persian
    qtbot.waitUntil(lambda: "سرنخ" in view.conversation.toPlainText())

    _pushed(desk)  # the lead is the same after the sync
    QTest.mouseClick(view.lead_button, Qt.MouseButton.LeftButton)
    lead_view = view.findChild(LeadView, "leadView")
    assert isinstance(lead_view, LeadView)
    qtbot.waitUntil(lambda: lead_view.summary is not None)
    assert lead_view.summary is not None and lead_view.summary.ticket_id == ticket.id
    assert lead_view.values["salesperson"].text() == "\u200f" + salesperson
    assert ticket.title in lead_view.title_label.text()
    assert lead_view.values["state"].text() == "\u200f" + QCoreApplication.translate(
        "LeadView", "On the server"
    )
    assert person_id
    target = SCREENSHOTS / "lead_view_fa.png"
    assert lead_view.grab().save(str(target))


def test_o7_a_refused_conversion_says_why_in_persian_and_keeps_the_values(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    window = opened.window
    ticket = _ticket_with_contact(desk, window)
    dialog = _open_dialog(qtbot, window, ticket.id)

    # an empty name is refused before anything is saved
    dialog.new_name.clear()
    QTest.mouseClick(dialog.convert_button, Qt.MouseButton.LeftButton)
    assert dialog.problem_text() == "نام مشتری تازه را بنویسید."

    _type(dialog.new_name, "بازرگانی نمونه")
    team_id, person_id = _choose_sales(dialog)
    # meanwhile (a sync, a supervisor) the salesperson left the sales team
    engine = desk.engine()
    with session_factory(engine)() as session:
        session.execute(
            delete(sales_team_members).where(
                sales_team_members.c.sales_team_id == team_id,
                sales_team_members.c.user_id == person_id,
            )
        )
        session.commit()
    engine.dispose()

    QTest.mouseClick(dialog.convert_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.problem_text()))
    assert dialog.problem_text() == "این فروشنده عضو این تیم فروش نیست."
    assert dialog.sales_problem.isVisible()
    assert dialog.isVisible() and dialog.convert_button.isEnabled()
    assert dialog.new_name.text() == "بازرگانی نمونه"
    assert dialog.create_radio.isChecked()
    assert (dialog.team.currentData(), dialog.salesperson.currentData()) == (team_id, person_id)

    def untouched(session):  # type: ignore[no-untyped-def]
        t = session.get(Ticket, ticket.id)
        intents = session.scalars(
            select(OutboxMutation).where(OutboxMutation.name == "ticket.convert_to_lead")
        ).all()
        return t.archived, t.lead_id, len(intents)

    assert _in_cache(desk.cache_path, untouched) == (False, None, 0)
    QApplication.processEvents()
