"""D4, S6, I5, I6, C5, E2, S8 and issue 5 item 7: the ticket view, its conversation and
composer, driven through real widgets (offscreen, Persian) on an agent's real cache, then
a real sync to a real server on loopback, then the server is asked what it holds."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QTextBrowser
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, select

from core.conversation import add_message
from core.db import session_factory
from core.drafts import load_draft
from core.enums import CustomerState, MessageKind, Resolution, Role, StaffState
from core.models import CannedReply, Contact, KbArticle, Message, Ticket, User
from core.queues import QueueKind
from core.thread import load_thread
from desktop.context import WindowContext
from desktop.i18n import Localization
from desktop.runner import DbRunner
from desktop.views.conversation_view import LRI, PDI, first_strong_direction, isolate_latin
from desktop.views.ticket_view import TicketView
from tests.desktop.conftest import Desk

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


class Handle:
    """The agent's cache opened as the window opens it: an engine and a DB runner."""

    def __init__(self, desk: Desk, localization: Localization) -> None:
        self.engine: Engine = desk.engine()
        self.runner = DbRunner(session_factory(self.engine))
        self.context = WindowContext(
            runner=self.runner,
            localization=localization,
            user_id=desk.user_id,
            user_name=desk.user_name,
            cache_path=desk.cache_path,
        )

    def view(self, qtbot: QtBot, ticket_id: str) -> TicketView:
        view = TicketView(self.context, ticket_id)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitExposed(view)
        qtbot.waitUntil(lambda: view.header is not None and not self.runner.busy(), timeout=10_000)
        return view

    def idle(self, qtbot: QtBot) -> None:
        qtbot.waitUntil(lambda: not self.runner.busy(), timeout=10_000)


@pytest.fixture
def handle(desk: Desk, persian: Localization) -> Iterator[Handle]:
    h = Handle(desk, persian)
    try:
        yield h
    finally:
        h.runner.wait_idle()
        h.engine.dispose()


def _open_ticket(desk: Desk) -> str:
    engine = desk.engine()
    try:
        with session_factory(engine)() as s:
            ticket_id = s.scalars(
                select(Ticket.id)
                .where(Ticket.archived.is_(False), Ticket.status != "closed")
                .order_by(Ticket.number)
            ).first()
            assert ticket_id is not None
            return ticket_id
    finally:
        engine.dispose()


def _server_messages(desk: Desk, ticket_id: str) -> list[dict[str, object]]:
    with desk.api() as api:
        reply = api.get(f"/tickets/{ticket_id}/messages", params={"limit": 500})
        assert reply.status_code == 200, reply.text
        items: list[dict[str, object]] = reply.json()["items"]
        return items


def _type(qtbot: QtBot, view: TicketView, text: str) -> None:
    editor = view.composer.editor
    editor.setFocus()
    editor.insertPlainText(text)  # what typing does, one edit (keyClicks cannot type Persian)


def _send(qtbot: QtBot, view: TicketView, handle: Handle) -> None:
    with qtbot.waitSignal(view.sent, timeout=10_000):
        QTest.mouseClick(view.composer.send_button, Qt.MouseButton.LeftButton)
    handle.idle(qtbot)


def test_d4_mixed_direction_helpers() -> None:
    assert first_strong_direction("123 سلام abc") is Qt.LayoutDirection.RightToLeft
    assert first_strong_direction("Error E-42: خطا") is Qt.LayoutDirection.LeftToRight
    assert first_strong_direction("1234") is None
    text = isolate_latin("ایمیل من ali.rezaei@example.com است.")
    assert text == f"ایمیل من {LRI}ali.rezaei@example.com{PDI} است."
    # sentence punctuation after a run stays outside the isolate
    assert isolate_latin("کد ERR-500.") == f"کد {LRI}ERR-500{PDI}."
    # numbers alone are left to the bidi algorithm (isolating 3 / 490 / 000 would reverse them)
    assert isolate_latin("مبلغ 3,490,000 ریال") == "مبلغ 3,490,000 ریال"


def test_d4_s6_thread_shows_each_kind_distinctly_with_read_states(
    qtbot: QtBot, desk: Desk, handle: Handle
) -> None:
    ticket_id = _open_ticket(desk)
    with session_factory(handle.engine)() as s:
        ticket = s.get(Ticket, ticket_id)
        assert ticket is not None
        add_message(s, ticket, kind=MessageKind.CUSTOMER_REPLY, body="سلام، کد خطا ERR-42 است.")
        add_message(s, ticket, kind=MessageKind.INTERNAL_NOTE, body="یادداشت محرمانه")
        s.commit()
    view = handle.view(qtbot, ticket_id)
    html = view.conversation.toHtml()
    # a note is amber with the lock; replies and customer posts have their own colours
    assert "#fff3d1" in html and "hd-image:lock" in html
    assert "#ffffff" in html
    assert view.conversation.toPlainText().count("یادداشت داخلی") >= 1
    assert "ERR-42" in view.conversation.toPlainText()
    # I6 and the header: the read states are shown in Persian
    assert "مشتری" in view.read_label.text()
    assert view.title_label.text().startswith("#")


def test_i6_opening_marks_seen_by_staff_and_syncs(qtbot: QtBot, desk: Desk, handle: Handle) -> None:
    ticket_id = _open_ticket(desk)
    with session_factory(handle.engine)() as s:
        ticket = s.get(Ticket, ticket_id)
        assert ticket is not None
        ticket.staff_state = StaffState.UNREAD
        s.commit()
    view = handle.view(qtbot, ticket_id)
    handle.idle(qtbot)
    assert "کارشناس: دیده‌شده، در حال بررسی" in view.read_label.text()  # the header shows it
    with session_factory(handle.engine)() as s:
        assert s.get(Ticket, ticket_id).staff_state is StaffState.UNDER_REVIEW  # type: ignore[union-attr]
    view.close()
    report = desk.sync()
    assert report is not None
    with desk.api() as api:
        server = api.get(f"/tickets/{ticket_id}").json()
    assert server["staff_state"] == StaffState.UNDER_REVIEW


def test_s6_d4_reply_and_internal_note_reach_the_server_with_their_kinds(
    qtbot: QtBot, desk: Desk, handle: Handle
) -> None:
    ticket_id, customer = _customer_ticket(desk)
    view = handle.view(qtbot, ticket_id)
    _type(qtbot, view, "پاسخ به مشتری: لطفاً به support@example.com ایمیل بزنید.")
    _send(qtbot, view, handle)
    assert view.composer.text() == ""
    view.composer.note_button.click()
    assert "#fff3d1" in view.composer.editor.styleSheet()  # the note editor looks different
    _type(qtbot, view, "یادداشت داخلی برای همکاران")
    _send(qtbot, view, handle)
    qtbot.waitUntil(lambda: "یادداشت داخلی برای همکاران" in view.conversation.toPlainText())
    assert "هنوز فرستاده نشده" in view.conversation.toPlainText()  # pending until synced
    desk.sync()
    by_body = {m["body"]: m for m in _server_messages(desk, ticket_id)}
    reply = by_body["پاسخ به مشتری: لطفاً به support@example.com ایمیل بزنید."]
    note = by_body["یادداشت داخلی برای همکاران"]
    assert (reply["kind"], note["kind"]) == ("agent_reply", "internal_note")
    assert reply["author_user_id"] == note["author_user_id"] == desk.user_id
    # S6 on the server: the customer, through the portal, sees the reply and not the note
    seen_by_customer = _portal_bodies(desk, ticket_id, customer)
    assert reply["body"] in seen_by_customer
    assert note["body"] not in seen_by_customer


def _customer_ticket(desk: Desk) -> tuple[str, str]:
    """A ticket in the agent's cache that its customer reads through the portal, and
    that customer's token."""
    engine = desk.engine()
    try:
        with session_factory(engine)() as s:
            cached = set(
                s.scalars(
                    select(Ticket.id).where(
                        Ticket.archived.is_(False),
                        Ticket.status != "closed",
                        Ticket.merged_into_id.is_(None),
                    )
                )
            )
    finally:
        engine.dispose()
    with desk.server.sessions() as s:
        portal_ids = list(s.scalars(select(User.id).where(User.role == Role.PORTAL, User.active)))
    for portal_id in portal_ids:
        token = desk.server.token_for(portal_id)
        with desk.api(token) as api:
            items = api.get("/portal/tickets", params={"limit": 200}).json()["items"]
        for item in items:
            if item["id"] in cached:
                return item["id"], token
    raise AssertionError("no demo customer with a ticket this agent sees")


def _portal_bodies(desk: Desk, ticket_id: str, token: str) -> list[str]:
    with desk.api(token) as api:
        reply = api.get(f"/portal/tickets/{ticket_id}/messages")
        assert reply.status_code == 200, reply.text
        return [m["body"] for m in reply.json()["items"]]


def test_e2_canned_reply_is_inserted_with_placeholders_filled(
    qtbot: QtBot, desk: Desk, handle: Handle
) -> None:
    ticket_id = _open_ticket(desk)
    with session_factory(handle.engine)() as s:
        s.add(
            CannedReply(
                title="آ خوش‌آمد",
                body="{نام_مشتری} عزیز، تیکت {ticket_number} بررسی شد. {agent_name}",
            )
        )
        s.commit()
        ticket = s.get(Ticket, ticket_id)
        assert ticket is not None
        contact = s.get(Contact, ticket.contact_id) if ticket.contact_id else None
        customer = (contact.name if contact else "") or ticket.contact_email
        number = str(ticket.number)
    view = handle.view(qtbot, ticket_id)
    box = view.composer.canned_box
    index = next(i for i in range(box.count()) if box.itemText(i).startswith("آ خوش‌آمد"))
    box.setCurrentIndex(index)
    box.activated.emit(index)  # what picking it from the list does
    handle.idle(qtbot)
    expected = f"{customer} عزیز، تیکت {number} بررسی شد. {desk.user_name}"
    qtbot.waitUntil(lambda: view.composer.text() == expected)
    assert box.currentIndex() == 0


def test_s8_kb_search_and_insert(qtbot: QtBot, desk: Desk, handle: Handle) -> None:
    ticket_id = _open_ticket(desk)
    with session_factory(handle.engine)() as s:
        s.add(
            KbArticle(
                title="راهنمای بازنشانی گذرواژه",
                body="از صفحه ورود روی «فراموشی» بزنید.\n\nجزئیات بیشتر...",
                keywords="گذرواژه رمز",
            )
        )
        s.commit()
    view = handle.view(qtbot, ticket_id)
    dialog = view.composer.make_kb_dialog()  # owned by the composer, closed with it
    dialog.show()
    dialog.search_box.setText("بازنشاني")  # Arabic yeh: still found (E6 folding)
    dialog.search()
    qtbot.waitUntil(lambda: dialog.results.count() > 0 and not dialog.busy())
    assert dialog.results.item(0).text() == "راهنمای بازنشانی گذرواژه"
    QTest.mouseClick(dialog.insert_button, Qt.MouseButton.LeftButton)
    text = view.composer.text()
    assert text.startswith("راهنمای بازنشانی گذرواژه\nاز صفحه ورود روی «فراموشی» بزنید.")
    assert "مقاله پایگاه دانش: KB-" in text


def test_item7_draft_survives_a_crash_and_a_sync(qtbot: QtBot, desk: Desk, handle: Handle) -> None:
    ticket_id = _open_ticket(desk)
    view = handle.view(qtbot, ticket_id)
    view.composer.note_button.click()
    _type(qtbot, view, "پیش‌نویس نیمه‌کاره با کد ABC-123")
    with qtbot.waitSignal(view.composer.draft_saved, timeout=5_000):
        pass  # saved ~500 ms after the last keystroke, no close needed
    # the crash: the widget goes away without closeEvent
    view.hide()
    view.deleteLater()
    del view
    QApplication.processEvents()
    gc.collect()
    desk.sync()  # a sync in between leaves the local-only draft alone
    again = handle.view(qtbot, ticket_id)
    assert again.composer.text() == "پیش‌نویس نیمه‌کاره با کد ABC-123"
    assert again.composer.note_button.isChecked()
    assert "بازیابی" in again.composer.draft_label.text()
    # closing saves at once, without waiting for the timer
    _type(qtbot, again, " و ادامه")
    again.close()
    handle.idle(qtbot)
    with session_factory(handle.engine)() as s:
        draft = load_draft(s, ticket_id)
        assert draft is not None and draft.body.endswith("ABC-123 و ادامه")


def _colleague_token(desk: Desk) -> str:
    with desk.server.sessions() as s:
        admin = s.scalars(
            select(User).where(User.role == Role.ADMIN, User.id != desk.user_id, User.active)
        ).first()
        assert admin is not None
        admin_id = admin.id
    return desk.server.token_for(admin_id)


def test_item7_stale_reply_guard_asks_after_a_colleague_replied(
    qtbot: QtBot, desk: Desk, handle: Handle
) -> None:
    ticket_id = _open_ticket(desk)
    view = handle.view(qtbot, ticket_id)
    _type(qtbot, view, "پاسخ من که دیر رسید")
    # meanwhile a colleague answers through the server, and the cache syncs
    with desk.api(_colleague_token(desk)) as api:
        posted = api.post(
            f"/tickets/{ticket_id}/messages",
            json={"kind": "agent_reply", "body": "همکار زودتر جواب داد: https://example.com/a"},
        )
        assert posted.status_code == 201, posted.text
    desk.sync()
    QTest.mouseClick(view.composer.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.stale_dialog is not None, timeout=5_000)
    dialog = view.stale_dialog
    assert dialog is not None
    news = dialog.findChild(QTextBrowser, "staleNews")
    assert news is not None and "همکار زودتر جواب داد" in news.toPlainText()
    # review: nothing is sent, the text stays, the new reply is shown
    QTest.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    handle.idle(qtbot)
    qtbot.waitUntil(lambda: "همکار زودتر جواب داد" in view.conversation.toPlainText())
    assert view.composer.text() == "پاسخ من که دیر رسید"
    with session_factory(handle.engine)() as s:
        assert s.scalar(select(Message.id).where(Message.body == "پاسخ من که دیر رسید")) is None
    # after the review it sends without asking again
    _send(qtbot, view, handle)
    assert view.stale_dialog is None
    desk.sync()
    bodies = [m["body"] for m in _server_messages(desk, ticket_id)]
    assert "پاسخ من که دیر رسید" in bodies


def test_item7_send_anyway_sends(qtbot: QtBot, desk: Desk, handle: Handle) -> None:
    ticket_id = _open_ticket(desk)
    view = handle.view(qtbot, ticket_id)
    _type(qtbot, view, "به هر حال می‌فرستم")
    with desk.api(_colleague_token(desk)) as api:
        api.post(f"/tickets/{ticket_id}/messages", json={"kind": "agent_reply", "body": "قبلی"})
    desk.sync()
    QTest.mouseClick(view.composer.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.stale_dialog is not None, timeout=5_000)
    dialog = view.stale_dialog
    assert dialog is not None
    with qtbot.waitSignal(view.sent, timeout=5_000):
        QTest.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    handle.idle(qtbot)
    with session_factory(handle.engine)() as s:
        assert load_draft(s, ticket_id) is None  # sent: the draft is gone


def test_d4_empty_send_is_refused_with_a_message(qtbot: QtBot, desk: Desk, handle: Handle) -> None:
    ticket_id = _open_ticket(desk)
    view = handle.view(qtbot, ticket_id)
    shown: list[str] = []

    def close_box() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            shown.append(box.text())
            box.accept()
        elif not shown:
            QTimer.singleShot(20, close_box)  # not up yet: look again

    from PySide6.QtCore import QTimer

    QTimer.singleShot(200, close_box)
    QTest.mouseClick(view.composer.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=3_000)
    assert shown == ["ابتدا پیام را بنویسید."]


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen has no stacking
def test_d4_enter_on_a_queue_row_opens_the_ticket(
    qtbot: QtBot, desk: Desk, persian: Localization
) -> None:
    from desktop.app import open_window

    opened = open_window(cache_path=desk.cache_path, localization=persian, user_id=desk.user_id)
    window = opened.window
    qtbot.addWidget(window)
    try:
        window.show()
        qtbot.waitExposed(window)
        window.sidebar.select(QueueKind.ALL)
        qtbot.waitUntil(lambda: window.model.is_complete and not opened.runner.busy())
        assert window.model.rowCount() > 0
        window.table.setFocus()
        window.table.setCurrentIndex(window.model.index(0, 1))
        QTest.keyClick(window.table, Qt.Key.Key_Return)
        ticket_id = window.model.ticket_id(0)
        view = window.ticket_windows.views.get(ticket_id)
        assert view is not None and view.isVisible()
        qtbot.waitUntil(lambda: view.header is not None and not opened.runner.busy())
        assert window.open_ticket(ticket_id) is view  # opening again raises the same window
        # typed, then the window closed at once (it deletes itself): the draft is kept
        view.composer.editor.insertPlainText("تا اینجا نوشتم")
        view.close()
        qtbot.waitUntil(lambda: ticket_id not in window.ticket_windows.views)
        opened.runner.wait_idle()
        QApplication.processEvents()
        with opened.runner.session_factory() as s:
            draft = load_draft(s, ticket_id)
            assert draft is not None and draft.body == "تا اینجا نوشتم"
    finally:
        opened.runner.wait_idle()
        opened.engine.dispose()


def test_s6_screenshot_of_a_conversation_with_an_internal_note(
    qtbot: QtBot, desk: Desk, handle: Handle
) -> None:
    ticket_id = _open_ticket(desk)
    with session_factory(handle.engine)() as s:
        ticket = s.get(Ticket, ticket_id)
        assert ticket is not None
        add_message(
            s,
            ticket,
            kind=MessageKind.CUSTOMER_REPLY,
            body="سلام، پیامک‌ها به شماره 09121234567 نمی‌رسد. کد خطا SMS-403 است و"
            " گزارش را به ali.rezaei@example.com فرستادم.",
            author_contact_id=ticket.contact_id,
        )
        add_message(
            s,
            ticket,
            kind=MessageKind.INTERNAL_NOTE,
            body="یادداشت داخلی: کلید API این مشتری در https://panel.example.com/keys باطل شده.",
            author_user_id=desk.user_id,
        )
        s.commit()
    view = handle.view(qtbot, ticket_id)
    _type(qtbot, view, "با سلام، کلید جدید ساخته شد.")
    view.resize(1280, 800)
    QApplication.processEvents()
    assert view.isRightToLeft()
    with session_factory(handle.engine)() as s:
        assert any(m.kind is MessageKind.INTERNAL_NOTE for m in load_thread(s, ticket_id).messages)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "conversation_fa.png"
    assert view.grab().save(str(target))
    assert target.stat().st_size > 20_000


def test_c5_i6_satisfaction_and_customer_read_state_are_shown(
    qtbot: QtBot, desk: Desk, handle: Handle
) -> None:
    ticket_id = _open_ticket(desk)
    with session_factory(handle.engine)() as s:
        ticket = s.get(Ticket, ticket_id)
        assert ticket is not None
        ticket.resolution = Resolution.RESOLVED
        ticket.rating = 4
        ticket.rating_comment = "ممنون، مشکل با Chrome 120 حل شد"
        ticket.customer_state = CustomerState.UNREAD
        s.commit()
    view = handle.view(qtbot, ticket_id)
    rating = view.rating_label.text()
    assert "رضایت ۴ از ۵" in rating
    assert "مشتری آن را حل‌شده اعلام کرد" in rating
    assert f"{LRI}Chrome 120{PDI}" in rating  # the Latin run keeps its place
    assert "مشتری: نخوانده" in view.read_label.text()


def test_d4_attachment_is_kept_shown_and_saved(
    qtbot: QtBot, desk: Desk, handle: Handle, tmp_path: Path
) -> None:
    ticket_id = _open_ticket(desk)
    source = tmp_path / "گزارش-error.log"
    source.write_bytes(b"ERR-42 at 10:00\n")
    view = handle.view(qtbot, ticket_id)
    view.composer.note_button.click()
    _type(qtbot, view, "لاگ پیوست شد")
    view.composer.add_files([source])
    assert view.composer.files_label.text() == source.name
    _send(qtbot, view, handle)
    qtbot.waitUntil(lambda: isolate_latin(source.name) in view.conversation.toPlainText())
    assert view.composer.files == []
    shown = view.conversation.shown
    assert shown is not None
    info = next(a for m in shown.messages for a in m.attachments if a.filename == source.name)
    target = tmp_path / "saved.log"
    assert view.conversation.save_attachment(info, target)
    assert target.read_bytes() == source.read_bytes()
    # the sync uploads the bytes and the row: the server holds the file on that note
    desk.sync()
    with desk.api() as api:
        files = api.get(f"/tickets/{ticket_id}/attachments").json()
    on_server = [f for f in files if f["filename"] == source.name]
    assert len(on_server) == 1 and on_server[0]["content_hash"] == info.content_hash
    note = next(m for m in _server_messages(desk, ticket_id) if m["body"] == "لاگ پیوست شد")
    assert on_server[0]["message_id"] == note["id"] and note["kind"] == "internal_note"


def test_item7_stale_reply_guard_asks_after_the_customer_wrote_through_the_portal(
    qtbot: QtBot, desk: Desk, handle: Handle
) -> None:
    ticket_id, customer = _customer_ticket(desk)
    view = handle.view(qtbot, ticket_id)
    _type(qtbot, view, "پاسخ بر اساس پیام قبلی")
    with desk.api(customer) as api:
        posted = api.post(
            f"/portal/tickets/{ticket_id}/replies",
            json={"text": "ببخشید، شماره سفارش ORD-7781 بود"},
        )
        assert posted.status_code == 201, posted.text
    desk.sync()
    QTest.mouseClick(view.composer.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.stale_dialog is not None, timeout=5_000)
    dialog = view.stale_dialog
    assert dialog is not None
    news = dialog.findChild(QTextBrowser, "staleNews")
    assert news is not None and "ORD-7781" in news.toPlainText()
    assert "مشتری" in news.toPlainText()
    QTest.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    handle.idle(qtbot)
    assert view.composer.text() == "پاسخ بر اساس پیام قبلی"


def test_item7_draft_follows_a_merge_made_on_the_server(
    qtbot: QtBot, desk: Desk, handle: Handle
) -> None:
    engine = desk.engine()
    try:
        with session_factory(engine)() as s:
            keep_id, gone_id = list(
                s.scalars(
                    select(Ticket.id)
                    .where(
                        Ticket.archived.is_(False),
                        Ticket.status != "closed",
                        Ticket.merged_into_id.is_(None),
                    )
                    .order_by(Ticket.number)
                    .limit(2)
                )
            )
    finally:
        engine.dispose()
    view = handle.view(qtbot, gone_id)
    _type(qtbot, view, "پیش‌نویس روی تیکت تکراری")
    view.close()  # saved at once on close
    handle.idle(qtbot)
    with desk.api() as api:
        merged = api.post(f"/tickets/{keep_id}/merge", json={"merge_ids": [gone_id]})
        assert merged.status_code == 200, merged.text
    desk.sync()
    kept = handle.view(qtbot, keep_id)
    assert kept.composer.text() == "پیش‌نویس روی تیکت تکراری"
    with session_factory(handle.engine)() as s:
        assert s.get(Ticket, gone_id).merged_into_id == keep_id  # type: ignore[union-attr]
        assert load_draft(s, gone_id) is None
