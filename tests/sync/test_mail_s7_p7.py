"""Mail in and out (S7, P7, I4, I5, S5, S6): a real aiosmtpd listener fed by smtplib, the
server's own write path, and a second real SMTP server as the relay ("sink")."""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from core.blobs import BlobStore, attach_file
from core.enums import Channel, MessageKind, Role
from core.models import Attachment, Contact, Delivery, Message, Ticket, User
from sync.server import mail_out
from sync.server.config import MailConfig, ServerConfig
from sync.server.database import migrate, server_sessions
from sync.server.mail_in import MailRefused, parse_mail, strip_quoted_tail
from sync.server.mail_out import reply_to_address, send_pending, ticket_id_from_address
from sync.server.services.messages import post_message
from sync.server.services.tickets import create_ticket
from sync.server.smtp_listener import MailListener
from tests.core.factories import make_contact, make_user
from tests.sync.mail_support import SmtpSink

GROUP = "support@desk.example"
CUSTOMER = "sara@example.com"


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    """The server's sessions (change log installed) over the migrated SQLite file."""
    migrate(engine)
    return server_sessions(engine)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as running:
        yield running


def make_config(tmp_path: Path, relay_port: int | None) -> ServerConfig:
    return ServerConfig(
        database_url="sqlite://",
        blob_dir=tmp_path / "blobs",
        secret=b"test secret",
        mail=MailConfig(
            group_address=GROUP,
            from_name="میز پشتیبانی",
            smtp_host="127.0.0.1" if relay_port else None,
            smtp_port=relay_port or 25,
            listen_port=0,
        ),
    )


@pytest.fixture
def config(tmp_path: Path, sink: SmtpSink) -> ServerConfig:
    return make_config(tmp_path, sink.port)


@pytest.fixture
def blobs(config: ServerConfig) -> BlobStore:
    return BlobStore(config.blob_dir)


@pytest.fixture
def listener(
    factory: sessionmaker[Session], config: ServerConfig, blobs: BlobStore
) -> Iterator[MailListener]:
    with MailListener(factory, config, blobs) as running:
        yield running


@pytest.fixture
def agent_id(factory: sessionmaker[Session]) -> str:
    with factory() as s, s.begin():
        return make_user(s, "Reza", role=Role.AGENT).id


def smtp_send(port: int, raw: bytes | EmailMessage, to: str = GROUP) -> tuple[int, str]:
    """Hand a mail to the listener the way an MTA would; the DATA answer."""
    data = raw.as_bytes(policy=policy.SMTP) if isinstance(raw, EmailMessage) else raw
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
        smtp.ehlo()
        code, text = smtp.mail("mta@example.com")
        assert code == 250, text
        code, text = smtp.rcpt(to)
        if code != 250:
            return code, text.decode()
        try:
            code, text = smtp.data(data)
        except smtplib.SMTPDataError as exc:
            error = exc.smtp_error
            return exc.smtp_code, error.decode() if isinstance(error, bytes) else error
        return code, text.decode()


def customer_mail(
    subject: str = "چاپگر کار نمی‌کند",
    body: str = "سلام، چاپگر طبقهٔ دوم کاغذ نمی‌کشد.",
    *,
    sender: str = f"Sara Ahmadi <{CUSTOMER}>",
    to: str = GROUP,
    message_id: str = "<first-1@example.com>",
    in_reply_to: str | None = None,
    attachment: bytes | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(body)
    if attachment is not None:
        msg.add_attachment(
            attachment, maintype="application", subtype="pdf", filename="رسید خرید.pdf"
        )
    return msg


def counts(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as s:
        return {
            cls.__name__: int(s.scalar(select(func.count()).select_from(cls)) or 0)
            for cls in (Ticket, Message, Contact, Attachment, User, Delivery)
        }


@dataclass
class Desk:
    """The parts of one mail round trip: database, config, blob store, listener, relay."""

    factory: sessionmaker[Session]
    config: ServerConfig
    blobs: BlobStore
    listener: MailListener
    sink: SmtpSink
    agent_id: str


@pytest.fixture
def desk(
    factory: sessionmaker[Session],
    config: ServerConfig,
    blobs: BlobStore,
    sink: SmtpSink,
    agent_id: str,
) -> Iterator[Desk]:
    with MailListener(factory, config, blobs) as listener:
        yield Desk(factory, config, blobs, listener, sink, agent_id)


def _check_new_ticket(desk: Desk, pdf: bytes, answer: str) -> Ticket:
    """The first mail made a numbered email ticket, its contact and its attachment."""
    with desk.factory() as s:
        ticket = s.scalars(select(Ticket)).one()
        assert ticket.number is not None and f"#{ticket.number}" in answer
        assert ticket.channel is Channel.EMAIL
        assert ticket.title == "چاپگر کار نمی‌کند"
        assert ticket.contact_email == CUSTOMER
        contact = s.get(Contact, ticket.contact_id)
        assert contact is not None and contact.name == "Sara Ahmadi"
        first = s.scalars(select(Message).where(Message.ticket_id == ticket.id)).one()
        assert first.kind is MessageKind.CUSTOMER_REPLY and first.channel is Channel.EMAIL
        assert first.author_contact_id == contact.id
        assert first.email_message_id == "<first-1@example.com>"
        (attachment,) = first.attachments
        assert attachment.filename == "رسید خرید.pdf" and attachment.mime_type == "application/pdf"
        assert desk.blobs.read(attachment.content_hash) == pdf
        creator = s.get(User, ticket.created_by_id)
        assert creator is not None and creator.username == "mail" and not creator.active
        return ticket


def _agent_answers(desk: Desk, ticket: Ticket) -> EmailMessage:
    """A note and a reply through the server's write path; only the reply leaves, from
    the group address with the ticket's reply-to, threaded under the customer's mail."""
    with desk.factory() as s, s.begin():
        agent = s.get(User, desk.agent_id)
        assert agent is not None
        row = s.get(Ticket, ticket.id)
        assert row is not None
        post_message(s, agent, row, kind=MessageKind.INTERNAL_NOTE, body="SECRET note")
        reply = post_message(
            s, agent, row, kind=MessageKind.AGENT_REPLY, body="سلام، کارت چاپگر را عوض کنید."
        )
        reply_id = reply.id
    assert send_pending(desk.factory, desk.config) == 1
    assert send_pending(desk.factory, desk.config) == 0  # nothing twice

    (received,) = desk.sink.received
    out = received.message
    assert received.rcpt_tos == [CUSTOMER] and received.mail_from == GROUP
    assert parseaddr(str(out["From"])) == ("میز پشتیبانی", GROUP)
    reply_to = parseaddr(str(out["Reply-To"]))[1]
    assert reply_to == reply_to_address(ticket.id, desk.config)
    assert reply_to.startswith("support+") and reply_to.endswith("@desk.example")
    assert str(out["Subject"]) == f"[#{ticket.number}] چاپگر کار نمی‌کند"
    assert str(out["In-Reply-To"]) == "<first-1@example.com>"
    body = out.get_body()
    assert isinstance(body, EmailMessage) and "کارت چاپگر" in body.get_content()
    assert all(b"SECRET" not in r.message.as_bytes() for r in desk.sink.received)
    with desk.factory() as s:
        delivery = s.scalars(select(Delivery)).one()
        assert delivery.state == "sent" and delivery.sent_at is not None
        assert delivery.email_message_id == str(out["Message-ID"])
        sent_reply = s.get(Message, reply_id)
        assert sent_reply is not None and sent_reply.email_message_id == str(out["Message-ID"])
    return out


def test_s7_p7_mail_round_trip(desk: Desk) -> None:
    """S7/P7/I5: a new mail opens a ticket; the agent's reply leaves through the relay
    with the group address and the ticket's reply-to; internal notes stay in (S6); the
    customer's answers, by reply-to address or by In-Reply-To only, join the same ticket."""
    pdf = b"%PDF-1.4 receipt " * 50
    code, text = smtp_send(desk.listener.port, customer_mail(attachment=pdf))
    assert code == 250, text
    ticket = _check_new_ticket(desk, pdf, text)
    out = _agent_answers(desk, ticket)

    # the customer answers to the Reply-To address, quoting our mail, no threading headers
    reply_to = parseaddr(str(out["Reply-To"]))[1]
    answer = customer_mail(
        subject=f"Re: {out['Subject']}",
        body="عوض کردم، درست شد.\n\nOn Sat, support wrote:\n> سلام، کارت چاپگر را عوض کنید.\n",
        to=reply_to,
        message_id="<answer-2@example.com>",
    )
    code, text = smtp_send(desk.listener.port, answer, to=reply_to)
    assert code == 250, text
    # another answer, to the plain group address, threaded only by In-Reply-To
    later = customer_mail(
        subject="no ticket number here",
        body="یک سؤال دیگر هم دارم.",
        message_id="<answer-3@example.com>",
        in_reply_to=str(out["Message-ID"]),
    )
    code, text = smtp_send(desk.listener.port, later)
    assert code == 250, text

    with desk.factory() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 1
        rows = s.scalars(
            select(Message)
            .where(Message.ticket_id == ticket.id, Message.kind == MessageKind.CUSTOMER_REPLY)
            .order_by(Message.created_at)
        ).all()
        assert [m.body for m in rows[1:]] == ["عوض کردم، درست شد.", "یک سؤال دیگر هم دارم."]
        assert {m.author_contact_id for m in rows} == {ticket.contact_id}


def test_s7_duplicate_message_id_is_applied_once(
    factory: sessionmaker[Session], listener: MailListener
) -> None:
    """An MTA that delivers the same mail twice (a lost 250) adds it once."""
    mail = customer_mail(attachment=b"same bytes")
    assert smtp_send(listener.port, mail)[0] == 250
    before = counts(factory)
    code, text = smtp_send(listener.port, mail)
    assert code == 250 and "duplicate" in text
    assert counts(factory) == before


def test_p7_garbage_and_senderless_mail_refused_with_5xx_and_nothing_written(
    factory: sessionmaker[Session], listener: MailListener, config: ServerConfig
) -> None:
    """P7: bytes that are no mail, a mail without or with a broken From, a mail the
    parser fails on: 5xx, no rows, no blob files, no mail user."""
    before = counts(factory)
    noise = bytes(range(256)).replace(b"\r", b"").replace(b"\n", b"")
    garbage = b"\r\n".join(noise[i : i + 50] for i in range(0, len(noise), 50)) * 5
    no_from = b"To: support@desk.example\r\nSubject: hi\r\n\r\nbody\r\n"
    bad_from = b"From: not an address\r\nTo: support@desk.example\r\nSubject: x\r\n\r\nb\r\n"
    for raw in (garbage, no_from, bad_from):
        code, text = smtp_send(listener.port, raw)
        assert code == 550 and text.startswith("5.1.7"), text  # our answer, not the SMTP layer's
    # a From header the stdlib's own parser trips over (IndexError inside `email`)
    code, text = smtp_send(listener.port, b"From: =?utf-8?q?=FF=FE?= <a@\r.coX\r\n\r\nx\r\n")
    assert (code, text) == (554, "5.6.0 The message could not be parsed.")
    assert counts(factory) == before
    assert not config.blob_dir.exists() or not any(config.blob_dir.rglob("*"))


def test_p7_other_recipients_and_oversized_mail_refused(
    factory: sessionmaker[Session], config: ServerConfig, blobs: BlobStore
) -> None:
    """The listener is no relay (550 for other mailboxes) and says 552 over its limit."""
    with MailListener(factory, config, blobs, max_message_bytes=4000) as small:
        code, _ = smtp_send(small.port, customer_mail(), to="someone@elsewhere.example")
        assert code == 550
        big = customer_mail(attachment=b"x" * 10_000)
        with (
            smtplib.SMTP("127.0.0.1", small.port, timeout=5) as smtp,
            pytest.raises(smtplib.SMTPResponseException) as refused,
        ):
            smtp.send_message(big)
        assert refused.value.smtp_code == 552
        # without the SIZE hint the limit holds at DATA too
        code, _ = smtp_send(small.port, big)
        assert code == 552
    assert counts(factory)["Ticket"] == 0


def test_s5_ticket_without_contact_gets_no_mail(
    factory: sessionmaker[Session], config: ServerConfig, sink: SmtpSink, agent_id: str
) -> None:
    """S5: an agent reply on a ticket with no contact linked queues and sends nothing."""
    with factory() as s, s.begin():
        agent = s.get(User, agent_id)
        assert agent is not None
        ticket = create_ticket(s, agent, title="Phoned in", contact_email="walkin@example.com")
        assert ticket.contact_id is None
        post_message(s, agent, ticket, kind=MessageKind.AGENT_REPLY, body="Done.")
    assert counts(factory)["Delivery"] == 0
    assert send_pending(factory, config) == 0
    assert sink.received == []


def test_s6_internal_note_never_leaves_even_if_queued_by_hand(
    factory: sessionmaker[Session], config: ServerConfig, sink: SmtpSink, agent_id: str
) -> None:
    """S6: compose refuses an internal note whatever queued it; the row ends failed."""
    with factory() as s, s.begin():
        agent = s.get(User, agent_id)
        assert agent is not None
        contact = make_contact(s, email=CUSTOMER)
        ticket = create_ticket(s, agent, title="t", contact_email=CUSTOMER, contact_id=contact.id)
        note = post_message(s, agent, ticket, kind=MessageKind.INTERNAL_NOTE, body="SECRET")
        assert mail_out.queue_deliveries(s, note, ticket) == []
        s.add(Delivery(message_id=note.id, channel="email", recipient=CUSTOMER))
    assert send_pending(factory, config) == 0
    assert sink.received == []
    with factory() as s:
        assert s.scalars(select(Delivery.state)).one() == "failed"


def _ticket_with_reply(factory: sessionmaker[Session], agent_id: str) -> str:
    with factory() as s, s.begin():
        agent = s.get(User, agent_id)
        assert agent is not None
        contact = make_contact(s, "Sara", email=CUSTOMER)
        ticket = create_ticket(
            s, agent, title="Printer", contact_email=CUSTOMER, contact_id=contact.id
        )
        post_message(s, agent, ticket, kind=MessageKind.AGENT_REPLY, body="Try again.")
        return ticket.id


def test_s7_dropped_connection_after_data_never_sends_twice(
    factory: sessionmaker[Session], tmp_path: Path, agent_id: str
) -> None:
    """At most once: the delivery is committed as 'sending' before the SMTP call (seen
    from the relay's side), and a relay that took the mail but dropped the line before
    answering leaves it failed; later rounds never send it again."""
    states: list[str] = []

    def look(_: EmailMessage) -> None:
        with factory() as s:
            states.extend(s.scalars(select(Delivery.state)))

    _ticket_with_reply(factory, agent_id)
    with SmtpSink(drop_after_data=True, on_data=look) as flaky:
        config = make_config(tmp_path, flaky.port)
        assert send_pending(factory, config) == 0
        assert send_pending(factory, config) == 0
        assert len(flaky.received) == 1 and not flaky.errors
    assert states == ["sending"]
    with factory() as s:
        delivery = s.scalars(select(Delivery)).one()
        assert delivery.state == "failed" and delivery.attempts == 1
        assert delivery.last_error and "Disconnected" in delivery.last_error


def test_s7_row_left_sending_by_a_crash_is_not_sent_again(
    factory: sessionmaker[Session], config: ServerConfig, sink: SmtpSink, agent_id: str
) -> None:
    """A process that died after committing 'sending' may have sent the mail: leave it."""
    _ticket_with_reply(factory, agent_id)
    with factory() as s, s.begin():
        s.scalars(select(Delivery)).one().state = "sending"
    assert send_pending(factory, config) == 0
    assert sink.received == []


def test_s7_temporary_refusal_goes_back_to_pending_then_sends(
    factory: sessionmaker[Session], tmp_path: Path, agent_id: str
) -> None:
    """A relay that answers 451 did not take the mail: it is tried again later."""
    _ticket_with_reply(factory, agent_id)
    with SmtpSink(answer="451 4.3.0 busy") as busy:
        assert send_pending(factory, make_config(tmp_path, busy.port)) == 0
    with factory() as s:
        delivery = s.scalars(select(Delivery)).one()
        assert (delivery.state, delivery.attempts) == ("pending", 1)
        assert delivery.last_error and "451" in delivery.last_error
    with SmtpSink() as ok:
        assert send_pending(factory, make_config(tmp_path, ok.port)) == 1
        assert len(ok.received) == 1


def test_s7_unreachable_relay_claims_nothing(
    factory: sessionmaker[Session], tmp_path: Path, agent_id: str
) -> None:
    _ticket_with_reply(factory, agent_id)
    with SmtpSink() as gone:
        port = gone.port
    assert send_pending(factory, make_config(tmp_path, port)) == 0
    with factory() as s:
        assert s.scalars(select(Delivery.state)).one() == "pending"


def test_s7_reply_to_token_is_bound_to_its_ticket(
    factory: sessionmaker[Session], config: ServerConfig, listener: MailListener
) -> None:
    """A changed token, or another ticket's id with this token, leads nowhere: the
    mail opens a new ticket instead of writing into someone else's."""
    assert smtp_send(listener.port, customer_mail())[0] == 250
    with factory() as s:
        ticket = s.scalars(select(Ticket)).one()
    good = reply_to_address(ticket.id, config)
    assert ticket_id_from_address(good, config) == ticket.id
    assert ticket_id_from_address(good.upper(), config) == ticket.id  # MTAs may fold case
    local, domain = good.split("@")
    tampered = local[:-1] + ("0" if local[-1] != "0" else "1") + "@" + domain
    assert ticket_id_from_address(tampered, config) is None
    assert ticket_id_from_address(good.replace("desk.example", "evil.example"), config) is None
    code, _ = smtp_send(listener.port, customer_mail(message_id="<x-2@e.com>"), to=tampered)
    assert code == 250
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 2


def test_i5_subject_number_threads_only_for_the_ticket_customer(
    factory: sessionmaker[Session], listener: MailListener
) -> None:
    """I5: "[#N]" in a fresh mail joins ticket N when its customer writes; a stranger
    naming the number gets a ticket of their own."""
    assert smtp_send(listener.port, customer_mail())[0] == 250
    with factory() as s:
        number = s.scalars(select(Ticket.number)).one()
    assert number is not None
    again = customer_mail(subject=f"[#{number}] still broken", message_id="<m2@example.com>")
    assert smtp_send(listener.port, again)[0] == 250
    stranger = customer_mail(
        subject=f"[#{number}] me too", sender="x@other.example", message_id="<m3@o.example>"
    )
    assert smtp_send(listener.port, stranger)[0] == 250
    with factory() as s:
        per_ticket = dict(
            s.execute(
                select(Ticket.number, func.count(Message.id))
                .join(Message, Message.ticket_id == Ticket.id)
                .group_by(Ticket.number)
            ).all()
        )
    assert per_ticket == {number: 2, number + 1: 1}


def test_p7_parse_html_only_forwarded_mail_and_quotes() -> None:
    """HTML-only bodies become text; a forwarded mail is kept as an .eml attachment."""
    inner = customer_mail(subject="old", body="inner")
    msg = EmailMessage()
    msg["From"] = "=?utf-8?b?2LPYp9ix2Kc=?= <Sara@Example.COM>"
    msg["To"] = GROUP
    msg["Subject"] = "fwd"
    msg.set_content(
        "<html><head><style>p{}</style></head><body><p>سلام&nbsp;دنیا</p>"
        "<div>line&nbsp;2<br>line 3</div><script>x()</script></body></html>",
        subtype="html",
    )
    msg.add_attachment(inner)
    mail = parse_mail(msg.as_bytes())
    assert mail.sender == "sara@example.com" and mail.sender_name == "سارا"
    assert mail.body == "سلام دنیا\n\nline 2\nline 3"
    (eml,) = mail.attachments
    assert eml.mime_type == "message/rfc822" and b"Subject: old" in eml.data
    assert mail.message_id is None and mail.recipients == (GROUP,)
    quoted = "Thanks!\n\nOn Mon, Desk wrote:\n> a\n>> b\n"
    assert strip_quoted_tail(quoted) == "Thanks!"
    assert strip_quoted_tail("> only a quote") == "> only a quote"
    with pytest.raises(MailRefused) as refused:
        parse_mail(customer_mail(attachment=b"x" * 100).as_bytes(), max_attachment_bytes=10)
    assert refused.value.code == 552


def test_i4_agent_reply_attachments_travel_and_send_forever_runs_the_sender(
    factory: sessionmaker[Session],
    config: ServerConfig,
    blobs: BlobStore,
    sink: SmtpSink,
    agent_id: str,
) -> None:
    """I4: files attached to the answer go with the mail; `send_forever` (the loop the
    server runs in the background) sends it without being asked twice."""
    with factory() as s, s.begin():
        agent = s.get(User, agent_id)
        assert agent is not None
        contact = make_contact(s, email=CUSTOMER)
        ticket = create_ticket(s, agent, title="t", contact_email=CUSTOMER, contact_id=contact.id)
        reply = post_message(s, agent, ticket, kind=MessageKind.AGENT_REPLY, body="See file.")
        attach_file(
            s,
            blobs,
            ticket_id=ticket.id,
            message_id=reply.id,
            filename="راهنما.txt",
            data="گام اول".encode(),
            mime_type="text/plain",
        )

    async def run() -> None:
        task = asyncio.create_task(
            mail_out.send_forever(partial(send_pending, factory, config), interval=0.01)
        )
        try:
            for _ in range(200):
                if sink.received:
                    break
                await asyncio.sleep(0.01)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    asyncio.run(run())
    (received,) = sink.received
    (file,) = received.message.iter_attachments()
    assert isinstance(file, EmailMessage)
    assert file.get_filename() == "راهنما.txt"
    assert file.get_payload(decode=True) == "گام اول".encode()


@pytest.mark.parametrize(
    ("header", "value", "sender"),
    [
        ("Auto-Submitted", "auto-replied", f"Sara Ahmadi <{CUSTOMER}>"),
        ("Precedence", "bulk", f"Sara Ahmadi <{CUSTOMER}>"),
        ("X-Autoreply", "yes", f"Sara Ahmadi <{CUSTOMER}>"),
        ("Subject", "Undelivered Mail Returned to Sender", "MAILER-DAEMON@mx.example.com"),
    ],
)
def test_s7_automatic_mail_is_accepted_and_dropped(
    desk: Desk, header: str, value: str, sender: str
) -> None:
    """An out-of-office answer, bulk mail or a bounce opens no ticket and adds no
    message: taking them in would fill queues with noise and can start mail loops."""
    mail = customer_mail(sender=sender, message_id="<auto-1@example.com>")
    if header == "Subject":
        del mail["Subject"]
    mail[header] = value
    code, text = smtp_send(desk.listener.port, mail)
    assert code == 250, text
    assert "automatic" in text
    with desk.factory() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 0
        assert s.scalar(select(func.count()).select_from(Message)) == 0


def test_s7_o5_mail_tickets_go_to_the_configured_team_and_are_assigned(
    factory: sessionmaker[Session], config: ServerConfig, blobs: BlobStore
) -> None:
    """With a mailbox team configured, a mail ticket lands in that team and its
    round-robin assignment picks an agent at once (O5, S3)."""
    from dataclasses import replace

    from core.enums import AssignmentMode
    from tests.core.factories import add_member, make_team

    with factory() as s:
        team = make_team(s, "Mailbox", mode=AssignmentMode.ROUND_ROBIN)
        agent = make_user(s, "Reza")
        add_member(s, team, agent, assignable=True)
        s.commit()
    routed = replace(config, mail=replace(config.mail, team_id=team.id))
    with MailListener(factory, routed, blobs) as listener:
        code, text = smtp_send(listener.port, customer_mail())
    assert code == 250, text
    with factory() as s:
        ticket = s.scalars(select(Ticket)).one()
        assert (ticket.team_id, ticket.assignee_id) == (team.id, agent.id)
