"""The ticket form (D3, P1-P5, C1, I2, E2 tags) through real widgets (offscreen, Persian)
over an agent's cache synced from a real server on loopback: after each save the test
syncs and checks what the server holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import session_factory
from core.enums import Impact, Priority, Severity
from core.models import Contact, Department, Subject, Team, TeamMember, Ticket, TicketSubtype
from core.priority import PriorityMatrix
from desktop.app import open_window
from desktop.context import WindowContext
from desktop.i18n import Localization
from desktop.runner import DbRunner
from desktop.sync_bridge import SyncBridge
from desktop.views.form_fields import JalaliDateEdit
from desktop.views.main_window import MainWindow
from desktop.views.ticket_form import TicketForm, TicketFormDialog, open_new_ticket
from tests.desktop.conftest import Desk
from tests.desktop.sync_helpers import run

pytestmark = pytest.mark.qt_log_ignore(
    # offscreen platform plugin: notices when the completer's popup shows
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
SUPPORT = "درخواست پشتیبانی"  # demo subtype: optional text, text and date fields
COMPLAINT = "شکایت"  # demo subtype: a required choice and a checkbox


@pytest.fixture
def context(desk: Desk, persian: Localization) -> Iterator[WindowContext]:
    engine = desk.engine()
    runner = DbRunner(session_factory(engine))
    yield WindowContext(
        runner=runner,
        localization=persian,
        user_id=desk.user_id,
        user_name=desk.user_name,
        cache_path=desk.cache_path,
    )
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, TicketFormDialog):
            widget.close()  # deletes itself (WA_DeleteOnClose)
    QApplication.processEvents()
    runner.wait_idle()
    engine.dispose()


def _session(context: WindowContext) -> Session:
    return context.runner.session_factory()


def _idle(qtbot: QtBot, context: WindowContext) -> None:
    qtbot.waitUntil(lambda: not context.runner.busy(), timeout=10_000)


def _pick(combo: QComboBox, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, f"{text!r} not in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


def _dialog(
    qtbot: QtBot, context: WindowContext, contact_id: str | None = None
) -> TicketFormDialog:
    dialog = open_new_ticket(context, None, contact_id=contact_id)
    # the dialog deletes itself when closed; the context fixture closes what is left
    qtbot.waitExposed(dialog)
    _idle(qtbot, context)
    return dialog


def _type(widget: QWidget, text: str) -> None:
    """Type `text` key by key as a keyboard would, Persian letters too (QTest.keyClicks
    knows only ASCII keys)."""
    widget.setFocus()
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
            QApplication.sendEvent(widget, event)


def _a_team(session: Session) -> tuple[Team, list[tuple[str, str]]]:
    """A team in the agent's cache (one they may see) with its members (id, name)."""
    team = session.scalars(
        select(Team).join(TeamMember, TeamMember.team_id == Team.id).order_by(Team.name)
    ).first()
    assert team is not None
    return team, [(m.user.id, m.user.display_name) for m in team.members if m.user.active]


def _department_with_subjects(session: Session) -> tuple[Department, list[str]]:
    for dept in session.scalars(select(Department).order_by(Department.name)):
        if len(dept.subjects) >= 2:
            return dept, [s.name for s in dept.subjects]
    raise AssertionError("no department with subjects")


def _on_server(desk: Desk, ticket_id: str) -> dict[str, Any]:
    """Sync the cache (push accepted, nothing refused) and read the ticket back from the
    server, with its tags' names."""
    report = desk.sync()
    assert report.pushed > 0 and report.rejected == 0, report
    with desk.api() as api:
        reply = api.get(f"/tickets/{ticket_id}")
        assert reply.status_code == 200, reply.text
        got: dict[str, Any] = reply.json()
        names = {t["id"]: t["name"] for t in api.get("/tags").json()["items"]}
    got["tag_names"] = sorted(names[t] for t in got["tag_ids"])
    return got


def _pick_related(qtbot: QtBot, form: TicketForm, typed: str, wanted_id: str) -> None:
    """P2: type, wait for the suggestions popup, choose `wanted_id` with the keyboard."""
    _type(form.related_edit, typed)
    popup = form.completer.popup()
    assert popup is not None
    qtbot.waitUntil(lambda: popup.isVisible() and form.suggestions.rowCount() > 0)
    row = next(
        r
        for r in range(form.suggestions.rowCount())
        if (hit := form.suggestions.related_at(r)) is not None and hit.id == wanted_id
    )
    popup.setCurrentIndex(form.completer.completionModel().index(row, 0))
    QTest.keyClick(popup, Qt.Key.Key_Return)


def _fill_valid(qtbot: QtBot, form: TicketForm, context: WindowContext, email: str) -> None:
    _type(form.title, "پنل پیامک پیام‌ها را ارسال نمی‌کند")
    _type(form.email, email)


def test_d3_p1_p4_c1_create_ticket_through_the_dialog_reaches_the_server(
    qtbot: QtBot, context: WindowContext, desk: Desk, tmp_path: Path
) -> None:
    with _session(context) as s:
        team, members = _a_team(s)
        team_name = team.name
        dept, subjects = _department_with_subjects(s)
        dept_name = dept.name
        contact = s.scalars(
            select(Contact).where(Contact.email.is_not(None)).order_by(Contact.name)
        ).first()
        assert contact is not None
        contact_id, contact_name, contact_email = contact.id, contact.name, contact.email
    dialog = _dialog(qtbot, context)
    form = dialog.form
    _pick(form.subtype, SUPPORT)
    _idle(qtbot, context)
    _pick_related(qtbot, form, contact_name.split()[0], contact_id)
    related = form.draft().related
    assert related is not None and related.id == contact_id
    assert form.email.text() == contact_email  # the contact's address filled in
    _type(form.title, "پنل پیامک پیام‌ها را ارسال نمی‌کند")
    _pick(form.severity, "بحرانی")
    _pick(form.impact, "جدی")
    _pick(form.department, dept_name)
    _idle(qtbot, context)
    _pick(form.subject, subjects[1])
    _pick(form.team, team_name)
    _idle(qtbot, context)
    assert sorted(form.assignee.itemText(i) for i in range(1, form.assignee.count())) == sorted(
        name for _id, name in members
    )
    assignee_id, assignee_name = members[0]
    _pick(form.assignee, assignee_name)
    form.set_tag_checked("فوری")
    _type(form.custom_editor("panel_username"), "panel-42")
    seen_on = form.custom_editor("error_seen_on")
    assert isinstance(seen_on, JalaliDateEdit)
    _type(seen_on.line, "۱۴۰۴/۰۱/۳۱")  # a Jalali date in Persian digits
    form.description.setPlainText("از دیروز هیچ پیامی ارسال نشده است.")
    receipt = tmp_path / "screenshot.png"
    receipt.write_bytes(b"\x89PNG not really")
    form.add_attachments([receipt])
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        QTest.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == TicketFormDialog.DialogCode.Accepted
    _idle(qtbot, context)

    got = _on_server(desk, saved.args[0])
    assert got["number"] is not None and got["number"] > 0
    assert got["title"] == "پنل پیامک پیام‌ها را ارسال نمی‌کند"
    assert got["contact_email"] == contact_email
    assert got["contact_id"] == contact_id
    assert (got["severity"], got["impact"]) == (Severity.CRITICAL, Impact.SERIOUS)
    assert got["priority"] == Priority.HIGH  # computed by the server's matrix too
    assert got["team_id"] is not None and got["assignee_id"] == assignee_id
    assert got["custom_values"] == {"panel_username": "panel-42", "error_seen_on": "2025-04-20"}
    assert got["tag_names"] == ["فوری"]


def test_p4_invalid_or_missing_email_refuses_marks_the_field_and_keeps_everything(
    qtbot: QtBot, context: WindowContext, desk: Desk
) -> None:
    dialog = _dialog(qtbot, context)
    form = dialog.form
    dialog.resize(720, 900)
    _pick(form.subtype, SUPPORT)
    _idle(qtbot, context)
    _type(form.title, "درخواست فاکتور رسمی")
    _pick(form.severity, "متوسط")
    _type(form.custom_editor("panel_username"), "user_77")
    form.description.setPlainText("لطفاً فاکتور رسمی صادر کنید.")
    _type(form.email, "maryam.example.com")
    # checked as typed: invalid state and a translated hint before any save
    assert form.email.property("invalid") is True
    hint = form._rows["contact_email"].hint
    assert hint.isVisible() and "ایمیل" in hint.text()
    with qtbot.waitSignal(form.refused, timeout=10_000) as refused:
        QTest.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert [p.field for p in refused.args[0]] == ["contact_email"]
    assert dialog.isVisible()
    assert QApplication.focusWidget() is form.email
    assert form.banner.isVisible()
    # everything typed is kept
    assert form.title.text() == "درخواست فاکتور رسمی"
    assert form.email.text() == "maryam.example.com"
    assert form.severity.currentText() == "متوسط"
    assert form.description.toPlainText() == "لطفاً فاکتور رسمی صادر کنید."
    custom = form.custom_editor("panel_username")
    assert isinstance(custom, QLineEdit) and custom.text() == "user_77"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "ticket_form_error_fa.png"
    assert dialog.grab().save(str(target))

    form.email.clear()
    with qtbot.waitSignal(form.refused, timeout=10_000) as refused:
        QTest.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert [(p.field, p.code) for p in refused.args[0]] == [("contact_email", "email_required")]
    assert form.email.property("invalid") is True

    _type(form.email, "maryam@example.com")
    assert form.email.property("invalid") is False
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        QTest.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, context)
    got = _on_server(desk, saved.args[0])
    assert got["contact_email"] == "maryam@example.com"
    assert got["custom_values"] == {"panel_username": "user_77"}
    assert got["number"] is not None


def test_p3_p5_subtype_swaps_custom_fields_and_a_required_one_is_enforced(
    qtbot: QtBot, context: WindowContext, desk: Desk
) -> None:
    dialog = _dialog(qtbot, context)
    form = dialog.form
    assert not form.custom_box.isVisible()
    _pick(form.subtype, SUPPORT)
    _idle(qtbot, context)
    assert form.custom_box.isVisible()
    assert isinstance(form.custom_editor("panel_username"), QLineEdit)
    _pick(form.subtype, COMPLAINT)
    _idle(qtbot, context)
    with pytest.raises(KeyError):
        form.custom_editor("panel_username")
    choice = form.custom_editor("complaint_about")
    callback = form.custom_editor("wants_callback")
    assert isinstance(choice, QComboBox) and isinstance(callback, QCheckBox)
    _fill_valid(qtbot, form, context, "reza@example.com")
    with qtbot.waitSignal(form.refused, timeout=10_000) as refused:
        QTest.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert [(p.field, p.code) for p in refused.args[0]] == [
        ("custom_values.complaint_about", "required")
    ]
    assert choice.property("invalid") is True
    assert QApplication.focusWidget() is choice
    hint = form._rows["custom_values.complaint_about"].hint
    assert hint.isVisible() and "موضوع شکایت" in hint.text()
    _pick(choice, "تأخیر")
    assert choice.property("invalid") is False
    callback.setChecked(True)
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        QTest.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, context)
    got = _on_server(desk, saved.args[0])
    with _session(context) as s:
        complaint = s.scalars(select(TicketSubtype).where(TicketSubtype.name == COMPLAINT)).one()
        assert got["subtype_id"] == complaint.id
    assert got["custom_values"] == {"complaint_about": "تأخیر", "wants_callback": True}


def test_c1_subjects_follow_the_department_and_assignees_the_team(
    qtbot: QtBot, context: WindowContext, desk: Desk
) -> None:
    with _session(context) as s:
        depts = [d for d in s.scalars(select(Department)) if d.subjects][:2]
        wanted = {d.name: [x.name for x in d.subjects] for d in depts}
        teams = {
            t.name: sorted(m.user.display_name for m in t.members if m.user.active)
            for t in s.scalars(select(Team))
        }
        all_subjects = set(s.scalars(select(Subject.name)))
    dialog = _dialog(qtbot, context)
    form = dialog.form
    assert form.subject.count() == 1  # only "(none)" before a department
    for name, subjects in wanted.items():
        _pick(form.department, name)
        _idle(qtbot, context)
        shown = [form.subject.itemText(i) for i in range(1, form.subject.count())]
        assert shown == subjects
        assert set(shown) < all_subjects
    offered = [form.team.itemText(i) for i in range(1, form.team.count())]
    assert offered  # teams this agent may file to
    for name in offered[:3]:
        _pick(form.team, name)
        _idle(qtbot, context)
        shown = sorted(form.assignee.itemText(i) for i in range(1, form.assignee.count()))
        assert shown == teams[name]


def test_p4_priority_line_follows_severity_and_impact_live(
    qtbot: QtBot, context: WindowContext
) -> None:
    dialog = _dialog(qtbot, context)
    form = dialog.form
    matrix = PriorityMatrix.default()
    names = {Priority.LOW: "کم", Priority.NORMAL: "عادی", Priority.HIGH: "زیاد"}
    seen = set()
    for sev in Severity:
        for imp in Impact:
            form.severity.setCurrentIndex(form.severity.findData(int(sev)))
            form.impact.setCurrentIndex(form.impact.findData(int(imp)))
            expected = matrix.priority_for(sev, imp)
            assert form.priority_line.property("priority") == int(expected)
            line = form.priority_line.text()
            assert line.startswith(names[expected])
            assert form.severity.currentText() in line and form.impact.currentText() in line
            seen.add(expected)
    assert seen == set(Priority)


def test_d3_edit_mode_changes_a_field_of_an_existing_ticket_and_the_server_gets_it(
    qtbot: QtBot, context: WindowContext, desk: Desk, tmp_path: Path
) -> None:
    with desk.api() as api:
        items = api.get("/tickets", params={"limit": 5}).json()["items"]
    target = next(t for t in items if t["status"] != "closed")
    form = TicketForm(context, ticket_id=target["id"])
    qtbot.addWidget(form)
    with qtbot.waitSignal(form.ready, timeout=10_000):
        form.show()
    _idle(qtbot, context)
    assert form.title.text() == target["title"]
    assert form.email.text() == target["contact_email"]
    new_impact = (target["impact"] + 1) % 3
    form.impact.setCurrentIndex(form.impact.findData(new_impact))
    form.title.setText(target["title"] + " (ویرایش)")
    invoice = tmp_path / "فاکتور.pdf"
    invoice.write_bytes(b"%PDF-1.4 invoice")
    form.add_attachments([invoice])
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        QTest.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert saved.args[0] == target["id"]
    _idle(qtbot, context)
    # the form shows the ticket afresh: the file is now one of the ticket's own
    shown = [form.attachments.item(i).text() for i in range(form.attachments.count())]
    assert "📎 فاکتور.pdf" in shown
    assert form.title.text() == target["title"] + " (ویرایش)"
    got = _on_server(desk, target["id"])
    assert got["impact"] == new_impact
    assert got["title"] == target["title"] + " (ویرایش)"
    assert got["version"] > target["version"]
    assert got["priority"] == PriorityMatrix.default().priority_for(target["severity"], new_impact)


def test_p1_ctrl_n_opens_the_form_from_the_main_window(
    qtbot: QtBot, context: WindowContext
) -> None:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitActive(window)
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: any(
            isinstance(w, TicketFormDialog) and w.isVisible()
            for w in QApplication.topLevelWidgets()
        )
    )
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, TicketFormDialog))
    _idle(qtbot, context)
    assert dialog.form.ticket_id is None
    assert dialog.parent() is window
    dialog.reject()
    # the same action is the first on the queue's toolbar
    assert window.ticket_actions.toolbar.actions()[0] is window.new_ticket
    assert window.new_ticket.shortcut() == QKeySequence(QKeySequence.StandardKey.New)


def test_p1_new_ticket_from_a_contact_is_prefilled_and_filed_for_them(
    qtbot: QtBot, context: WindowContext, desk: Desk
) -> None:
    with _session(context) as s:
        contact = s.scalars(
            select(Contact)
            .where(Contact.email.is_not(None), Contact.account_id.is_not(None))
            .order_by(Contact.name)
        ).first()
        assert contact is not None and contact.account is not None
        contact_id, email, name = contact.id, contact.email, contact.name
        account_id, account_name = contact.account_id, contact.account.name
        team, members = _a_team(s)
        dept, subjects = _department_with_subjects(s)
        dept_name = dept.name
    dialog = _dialog(qtbot, context, contact_id=contact_id)
    form = dialog.form
    dialog.resize(720, 900)
    assert form.email.text() == email
    assert name in form.related_edit.text() and account_name in form.related_edit.text()
    _pick(form.subtype, SUPPORT)
    _idle(qtbot, context)
    _type(form.title, "تمدید خط اختصاصی ۳۰۰۰۱۲۳۴")
    _pick(form.severity, "متوسط")
    _pick(form.impact, "فاجعه‌بار")
    form.set_tag_checked("تمدید")
    _pick(form.department, dept_name)
    _idle(qtbot, context)
    _pick(form.subject, subjects[0])
    _pick(form.team, team.name)
    _idle(qtbot, context)
    _pick(form.assignee, members[0][1])
    _type(form.custom_editor("panel_username"), "sadr-trading")
    form.description.setPlainText("مشتری تماس گرفت: خط 30001234 تا پایان ماه تمدید شود.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "ticket_form_fa.png"
    assert dialog.grab().save(str(shot))
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        QTest.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, context)
    got = _on_server(desk, saved.args[0])
    assert got["contact_id"] == contact_id and got["account_id"] == account_id
    assert got["contact_email"] == email
    assert got["priority"] == Priority.HIGH
    assert got["subject_id"] is not None and got["assignee_id"] == members[0][0]


def test_p1_d6_a_new_ticket_in_the_synced_window_reaches_the_server_by_itself(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: object
) -> None:
    """With the sync engine running in the window, saving the form pokes it: the ticket
    reaches the server and comes back numbered with no sync called by the test."""
    bridge = SyncBridge(
        desk.cache_path,
        desk.server.url,
        desk.token,
        engine_options={"backoff": 0.05, "max_backoff": 0.2, "retries": 1, "timeout": 5.0},
    )
    opened = open_window(
        cache_path=desk.cache_path, localization=persian, user_id=desk.user_id, sync=bridge
    )
    window = opened.window  # opened.aclose() deletes it: not handed to qtbot
    try:
        window.show()
        opened.start_sync()
        qtbot.waitUntil(lambda: bridge.state.status == "online", timeout=10_000)
        window.new_ticket.trigger()
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, TicketFormDialog))
        qtbot.waitUntil(lambda: not opened.runner.busy(), timeout=10_000)
        form = dialog.form
        _type(form.title, "درخواست فعال‌سازی وب‌سرویس")
        _type(form.email, "omid@example.ir")
        with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
            QTest.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
        ticket_id = saved.args[0]

        def numbered() -> bool:
            with opened.runner.session_factory() as s:
                ticket = s.get(Ticket, ticket_id)
                return ticket is not None and ticket.number is not None

        qtbot.waitUntil(numbered, timeout=15_000)
        with desk.api() as api:
            got = api.get(f"/tickets/{ticket_id}").json()
        assert got["title"] == "درخواست فعال‌سازی وب‌سرویس"
        assert got["contact_email"] == "omid@example.ir"
    finally:
        run(qtbot, opened.aclose())
