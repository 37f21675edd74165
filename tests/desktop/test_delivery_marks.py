"""P7, S7, I4, S6: the agent sees what became of each reply to the customer. Replies posted
over the real server's API, sent (or refused, or interrupted) through a real SMTP relay on
loopback, synced into the agent's real cache; the ticket view (Persian, right to left)
marks each reply sending…, sent or failed, with the reason under a failed one in red."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from core.db import session_factory
from core.ids import utcnow
from core.models import Delivery, Message
from core.thread import load_thread
from desktop.i18n import Localization
from desktop.runner import DbRunner
from desktop.views.ticket_view import TicketView
from sync.server.config import MailConfig, ServerConfig
from sync.server.mail_out import send_pending
from tests.core.factories import make_contact
from tests.desktop.conftest import Desk
from tests.sync.mail_support import SmtpSink

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
CUSTOMER = "sara@example.com"
REFUSAL = "550 5.2.2 mailbox full"
RED = QColor("#b91c1c")


def _relay(desk: Desk, port: int) -> ServerConfig:
    mail = MailConfig(group_address="support@desk.example", smtp_host="127.0.0.1", smtp_port=port)
    return replace(desk.server.config, mail=mail)


def _reply(desk: Desk, ticket_id: str, body: str) -> str:
    with desk.api() as api:
        posted = api.post(
            f"/tickets/{ticket_id}/messages", json={"kind": "agent_reply", "body": body}
        )
        assert posted.status_code == 201, posted.text
        return str(posted.json()["id"])


@pytest.fixture
def replies(desk: Desk) -> tuple[str, dict[str, str]]:
    """A customer's ticket with four replies: one sent, one the relay refused, one a
    crashed sender left `sending` long ago, one not sent yet; then the agent syncs."""
    sessions = desk.server.sessions
    with sessions() as s:
        contact = make_contact(s, "سارا احمدی", email=CUSTOMER)
        s.commit()
    with desk.api() as api:
        created = api.post(
            "/tickets",
            json={"title": "پیامک‌ها نمی‌رسد", "contact_email": CUSTOMER, "contact_id": contact.id},
        )
        assert created.status_code == 201, created.text
        ticket_id = str(created.json()["id"])
    ids = {"sent": _reply(desk, ticket_id, "سلام، پنل پیامک دوباره راه افتاد.")}
    with SmtpSink() as ok:
        assert send_pending(sessions, _relay(desk, ok.port)) == 1
    ids["refused"] = _reply(desk, ticket_id, "لطفاً دوباره امتحان کنید.")
    with SmtpSink(answer=REFUSAL) as full:
        assert send_pending(sessions, _relay(desk, full.port)) == 0
    ids["interrupted"] = _reply(desk, ticket_id, "کلید API جدید ساخته شد.")
    with sessions() as s, s.begin():
        s.execute(
            update(Delivery)
            .where(Delivery.message_id == ids["interrupted"])
            .values(state="sending", attempts=1, claimed_at=utcnow() - timedelta(hours=1))
        )
    with SmtpSink() as ok:
        assert send_pending(sessions, _relay(desk, ok.port)) == 0
        assert ok.received == []
    ids["pending"] = _reply(desk, ticket_id, "گزارش کامل را فردا می‌فرستم.")
    desk.sync()
    return ticket_id, ids


def _spans(view: TicketView, text: str) -> list[QColor]:
    """The colours of every place `text` is drawn in the conversation."""
    document = view.conversation.document()
    found: list[QColor] = []
    cursor = document.find(text)
    while not cursor.isNull():
        found.append(cursor.charFormat().foreground().color())
        cursor = document.find(text, cursor, document.FindFlag(0))
        if cursor.position() == 0:
            break
    return found


def test_s7_p7_i4_replies_show_sent_failed_and_sending_marks_in_persian(
    qtbot: QtBot, desk: Desk, persian: Localization, replies: tuple[str, dict[str, str]]
) -> None:
    ticket_id, ids = replies
    engine = desk.engine()
    runner = DbRunner(session_factory(engine))
    try:
        with session_factory(engine)() as s:
            states = {
                m.id: m.delivery_state
                for m in load_thread(s, ticket_id).messages
                if m.id in ids.values()
            }
            assert states == {
                ids["sent"]: "sent",
                ids["refused"]: "failed",
                ids["interrupted"]: "failed",
                ids["pending"]: "pending",
            }
            refused = s.get(Message, ids["refused"])
            assert refused is not None and refused.delivery_error == f"{CUSTOMER}: {REFUSAL}"

        from desktop.context import WindowContext

        context = WindowContext(
            runner=runner,
            localization=persian,
            user_id=desk.user_id,
            user_name=desk.user_name,
            cache_path=desk.cache_path,
        )
        view = TicketView(context, ticket_id)
        qtbot.addWidget(view)
        view.resize(1100, 900)
        view.show()
        qtbot.waitExposed(view)
        qtbot.waitUntil(lambda: view.header is not None and not runner.busy(), timeout=10_000)
        conversation = view.conversation
        text = conversation.toPlainText()

        assert text.count("ارسال شد") == 1
        assert text.count("ارسال نشد") == 2
        assert text.count("در حال ارسال…") == 1
        assert text.count("به مشتری فرستاده نشد:") == 2
        # the relay's own words, and the interrupted reason in Persian
        assert f"{CUSTOMER}: {REFUSAL}" in text
        assert "ارسال نیمه‌کاره ماند؛ شاید به مشتری رسیده باشد، شاید نه" in text
        assert "interrupted while sending" not in text
        for words in ("ارسال نشد", "به مشتری فرستاده نشد:", REFUSAL, "ارسال نیمه‌کاره ماند"):
            assert _spans(view, words) and all(c == RED for c in _spans(view, words)), words
        assert all(c != RED for c in _spans(view, "ارسال شد"))
        # the reply order is the conversation's: each mark sits on its own reply
        order = [text.index(w) for w in ("پنل پیامک", "ارسال نشد", "لطفاً دوباره")]
        assert order[0] < order[2]
        assert view.isRightToLeft() and conversation.isRightToLeft()

        # the failed replies' reasons are laid out right to left when Persian
        block = conversation.document().find("ارسال نیمه‌کاره ماند").block()
        assert block.textDirection() == Qt.LayoutDirection.RightToLeft
        block = conversation.document().find(REFUSAL).block()
        assert block.textDirection() == Qt.LayoutDirection.LeftToRight

        # the failed ones in view for the picture
        conversation.moveCursor(QTextCursor.MoveOperation.End)
        conversation.ensureCursorVisible()
        QApplication.processEvents()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / "delivery_marks_fa.png"
        assert view.grab().save(str(target))
        assert target.stat().st_size > 20_000
    finally:
        runner.wait_idle()
        engine.dispose()
