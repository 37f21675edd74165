"""Mail to customers (S7, I4): an agent reply becomes one delivery per customer address,
sent at most once per message and recipient, with a reply-to address that leads the
customer's answer back into the same ticket.

At most once: a delivery is marked `sending` and committed before the SMTP call, and
only `pending` rows are ever picked up, so a crash or a dropped connection mid-send
leaves a row that is never sent again; one still `sending` after
`ServerConfig.sending_timeout_seconds` is marked failed as interrupted, so the agent
hears of it.

Each message carries a summary of its deliveries (`Message.delivery_state` and
`delivery_error`), kept in the same transaction as every change of them, so the change
log brings it to every agent's cache: the conversation shows sending…, sent or failed."""

from __future__ import annotations

import asyncio
import hmac
import logging
import smtplib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from hashlib import sha256

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from core.blobs import BlobStore
from core.enums import MessageKind
from core.errors import NotFoundError
from core.followers import customer_contacts
from core.ids import utcnow
from core.models import Contact, Delivery, Message, Ticket
from core.models.server import DELIVERY_INTERRUPTED
from sync.server.config import MailConfig, ServerConfig

log = logging.getLogger("helpdesk.server.mail_out")

EMAIL = "email"
TOKEN_LENGTH = 20
MAX_ATTEMPTS = 5  # tries of a delivery the relay refused with a temporary (4xx) answer
SMTP_TIMEOUT = 30.0
ERROR_LIMIT = 2000  # characters of a message's delivery_error


def queue_deliveries(
    session: Session,
    message: Message,
    ticket: Ticket,
    contacts: Sequence[Contact] | None = None,
) -> list[Delivery]:
    """Pending email deliveries of a public reply to the ticket's customers (`contacts`,
    from core.followers.customer_contacts when not given); none when the ticket has no
    contact (S5) and never for internal notes (S6)."""
    if not message.is_public:
        return []
    if contacts is None:
        contacts = customer_contacts(session, ticket, exclude_contact_id=message.author_contact_id)
    addresses = sorted({c.email for c in contacts if c.email})
    deliveries = [
        Delivery(message_id=message.id, channel=EMAIL, recipient=address) for address in addresses
    ]
    session.add_all(deliveries)
    if deliveries:
        update_summary(session, message.id)
    return deliveries


# --- what the agent sees of it ------------------------------------------------------


def delivery_summary(rows: Sequence[tuple[str, str, str | None]]) -> tuple[str | None, str | None]:
    """(state, error) of a message from its deliveries' (state, recipient, last_error):
    failed if any failed (the error names each failed recipient and why), else pending
    if any is pending or sending, else sent; (None, None) without deliveries."""
    if not rows:
        return None, None
    failed = [f"{to}: {error or 'failed'}" for state, to, error in rows if state == "failed"]
    if failed:
        return "failed", "\n".join(failed)[:ERROR_LIMIT]
    if any(state in ("pending", "sending") for state, _, _ in rows):
        return "pending", None
    return "sent", None


def update_summary(session: Session, message_id: str) -> None:
    """Bring the message's delivery summary in step with its deliveries as this
    transaction sees them (pending ORM changes are flushed first). Only a real change
    touches the message, so the change log sends it to the agents only then. The
    caller commits."""
    rows = session.execute(
        select(Delivery.state, Delivery.recipient, Delivery.last_error)
        .where(Delivery.message_id == message_id)
        .order_by(Delivery.id)
    ).all()
    state, error = delivery_summary([(r.state, r.recipient, r.last_error) for r in rows])
    message = session.get(Message, message_id)
    if message is None:
        return
    if message.delivery_state != state:
        message.delivery_state = state
    if message.delivery_error != error:
        message.delivery_error = error


def fail_interrupted(
    session_factory: sessionmaker[Session], config: ServerConfig, channel: str
) -> int:
    """Mark failed every `channel` delivery left `sending` longer than
    `config.sending_timeout_seconds` (its sender died mid-call): it is never tried
    again, since the customer may have it, but the agent now sees it failed and can
    send it again. Returns how many."""
    cutoff = utcnow() - timedelta(seconds=config.sending_timeout_seconds)
    stale = or_(
        Delivery.claimed_at < cutoff,
        and_(Delivery.claimed_at.is_(None), Delivery.created_at < cutoff),
    )
    with session_factory() as session, session.begin():
        ids = list(
            session.scalars(
                select(Delivery.id).where(
                    Delivery.state == "sending", Delivery.channel == channel, stale
                )
            )
        )
        if not ids:
            return 0
        failed = session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.state == "sending")  # not finished meanwhile
            .values(state="failed", last_error=DELIVERY_INTERRUPTED)
            .returning(Delivery.id, Delivery.message_id)
            .execution_options(synchronize_session=False)
        ).all()
        for message_id in sorted({row.message_id for row in failed}):
            update_summary(session, message_id)
    for row in failed:
        log.warning("delivery %s was interrupted while sending: marked failed", row.id)
    return len(failed)


# --- reply-to addresses -------------------------------------------------------------


def reply_token(ticket_id: str, secret: bytes) -> str:
    """HMAC-SHA256 of the ticket id, hex, first 20 characters (80 bits): unguessable,
    so only someone who got our mail can post into the ticket by address."""
    return hmac.new(secret, ticket_id.encode(), sha256).hexdigest()[:TOKEN_LENGTH]


def reply_to_address(ticket_id: str, config: ServerConfig) -> str:
    """`<local>+<ticket uuid hex>-<token>@<domain>`. The id travels with the token because
    an HMAC cannot be turned back into the id; 32 hex digits keep the local part within
    64 characters. A ticket whose id is not a UUID gets the plain group address (its
    replies then thread by In-Reply-To)."""
    mail = config.mail
    try:
        ref = uuid.UUID(ticket_id).hex
    except ValueError:
        return mail.group_address
    return f"{mail.local_part}+{ref}-{reply_token(ticket_id, config.secret)}@{mail.domain}"


def ticket_id_from_address(address: str, config: ServerConfig) -> str | None:
    """The ticket id a reply-to address names, if its token is right; else None."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    mail = config.mail
    prefix = mail.local_part.lower() + "+"
    if domain.lower() != mail.domain.lower() or not local.lower().startswith(prefix):
        return None
    ref, _, token = local[len(prefix) :].lower().partition("-")
    try:
        ticket_id = str(uuid.UUID(hex=ref))
    except ValueError:
        return None
    if not hmac.compare_digest(token, reply_token(ticket_id, config.secret)):
        return None
    return ticket_id


def is_desk_address(address: str, mail: MailConfig) -> bool:
    """Whether `address` is the group mailbox or one of its `+tag` variants."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    if domain.lower() != mail.domain.lower():
        return False
    base = local.lower().split("+", 1)[0]
    return base == mail.local_part.lower()


def new_message_id(mail: MailConfig) -> str:
    """A fresh RFC 5322 Message-ID under the desk's domain (never a DNS lookup)."""
    return make_msgid(domain=mail.domain)


# --- composing ----------------------------------------------------------------------


def _thread_ids(session: Session, message: Message) -> tuple[str | None, list[str]]:
    """In-Reply-To (the ticket's last customer mail before `message`) and References
    (the ticket's first mail, then that one), so mail clients thread the conversation."""
    mails = Message.email_message_id.is_not(None)
    same_ticket = Message.ticket_id == message.ticket_id
    last_customer = session.scalar(
        select(Message.email_message_id)
        .where(same_ticket, mails, Message.kind == MessageKind.CUSTOMER_REPLY)
        .where(Message.created_at <= message.created_at, Message.id != message.id)
        .order_by(Message.created_at.desc())
        .limit(1)
    )
    first = session.scalar(
        select(Message.email_message_id)
        .where(same_ticket, mails, Message.id != message.id)
        .order_by(Message.created_at)
        .limit(1)
    )
    references = [m for m in dict.fromkeys([first, last_customer]) if m]
    return last_customer, references


def compose(
    session: Session, delivery: Delivery, config: ServerConfig, blobs: BlobStore | None = None
) -> EmailMessage:
    """The mail of one delivery. Gives the delivery (and its message, when it has none
    yet) a Message-ID, so a customer's answer threads back by In-Reply-To. The caller
    commits."""
    message = session.get(Message, delivery.message_id)
    if message is None:
        raise NotFoundError(f"No message {delivery.message_id}.")
    if not message.is_public:  # never, whatever queued it (S6)
        raise NotFoundError("Internal posts are never mailed.")
    ticket = session.get(Ticket, message.ticket_id)
    if ticket is None:
        raise NotFoundError(f"No ticket {message.ticket_id}.")
    mail = config.mail
    message_id = delivery.email_message_id or message.email_message_id or new_message_id(mail)
    delivery.email_message_id = message_id
    if message.email_message_id is None:
        message.email_message_id = message_id
    in_reply_to, references = _thread_ids(session, message)

    out = EmailMessage()
    out["From"] = formataddr((mail.from_name, mail.group_address))
    out["To"] = delivery.recipient
    out["Reply-To"] = reply_to_address(ticket.id, config)
    number = "pending" if ticket.number is None else str(ticket.number)
    out["Subject"] = f"[#{number}] {ticket.title}"
    out["Date"] = format_datetime(utcnow())
    out["Message-ID"] = message_id
    if in_reply_to:
        out["In-Reply-To"] = in_reply_to
    if references:
        out["References"] = " ".join(references)
    out.set_content(message.body or "")
    if blobs is not None:
        for attachment in message.attachments:
            maintype, _, subtype = attachment.mime_type.partition("/")
            out.add_attachment(
                blobs.read(attachment.content_hash),
                maintype=maintype or "application",
                subtype=subtype or "octet-stream",
                filename=attachment.filename,
            )
    return out


# --- sending ------------------------------------------------------------------------


@dataclass
class _Outcome:
    state: str  # sent, failed or pending (a temporary refusal, tried again later)
    error: str | None = None


class _Relay:
    """One SMTP connection reused for a batch, opened again after it drops."""

    def __init__(self, mail: MailConfig) -> None:
        assert mail.smtp_host is not None
        self.host = mail.smtp_host
        self.port = mail.smtp_port
        self.smtp: smtplib.SMTP | None = None

    def connect(self) -> smtplib.SMTP:
        """A live connection: a reused one is checked with NOOP first, so a relay that
        dropped an idle connection is not mistaken for one that dropped a mail."""
        if self.smtp is not None:
            try:
                self.smtp.noop()
            except (smtplib.SMTPException, OSError):
                self.close()
        if self.smtp is None:
            self.smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
        return self.smtp

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def send(self, mail: EmailMessage, sender: str, recipient: str, attempts: int) -> _Outcome:
        """Hand one mail over. Only an answer that proves the relay did not take it
        (a refusal before or after DATA) may go back to pending; a dropped connection
        is ambiguous and ends as failed, never sent twice."""
        assert self.smtp is not None, "connect() first"
        try:
            self.smtp.send_message(mail, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            said = "; ".join(_text(answer) for _, answer in exc.recipients.values())
            return _refused(min(codes, default=550), said or "recipient refused", attempts)
        except smtplib.SMTPResponseException as exc:
            self._reset()
            return _refused(exc.smtp_code, _text(exc.smtp_error), attempts)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            return _Outcome("failed", f"{type(exc).__name__}: {exc}")
        return _Outcome("sent")

    def _reset(self) -> None:
        try:
            if self.smtp is not None:
                self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _refused(code: int, error: str, attempts: int) -> _Outcome:
    text = f"{code} {error}"[:1000]
    if 400 <= code < 500 and attempts < MAX_ATTEMPTS:
        return _Outcome("pending", text)
    return _Outcome("failed", text)


def claim_delivery(session: Session, delivery_id: int) -> bool:
    """Move one delivery from pending to sending (one atomic UPDATE, so two senders
    never both take it), noting when; False when someone else took it. The message's
    summary follows in the same transaction. The caller commits."""
    claimed = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.state == "pending")
        .values(state="sending", attempts=Delivery.attempts + 1, claimed_at=utcnow())
        .returning(Delivery.message_id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if claimed is None:
        return False
    update_summary(session, claimed)
    return True


def send_pending(
    session_factory: sessionmaker[Session],
    config: ServerConfig,
    *,
    blobs: BlobStore | None = None,
    limit: int = 100,
) -> int:
    """Send up to `limit` pending mail deliveries, oldest first; returns how many the
    relay accepted. Does nothing while no relay is configured (they stay pending). First
    marks failed the deliveries an earlier sender left `sending` too long."""
    fail_interrupted(session_factory, config, EMAIL)
    mail = config.mail
    if mail.smtp_host is None:
        return 0
    store = blobs if blobs is not None else BlobStore(config.blob_dir)
    with session_factory() as session:
        ids = list(
            session.scalars(
                select(Delivery.id)
                .where(Delivery.state == "pending", Delivery.channel == EMAIL)
                .order_by(Delivery.created_at, Delivery.id)
                .limit(limit)
            )
        )
    relay = _Relay(mail)
    sent = 0
    try:
        for delivery_id in ids:
            try:
                relay.connect()  # before claiming: an unreachable relay sends nothing
            except (smtplib.SMTPException, OSError) as exc:
                log.warning("mail relay %s:%s unreachable: %s", mail.smtp_host, mail.smtp_port, exc)
                break
            if _send_one(session_factory, config, store, relay, delivery_id):
                sent += 1
    finally:
        relay.close()
    return sent


def _send_one(
    session_factory: sessionmaker[Session],
    config: ServerConfig,
    blobs: BlobStore,
    relay: _Relay,
    delivery_id: int,
) -> bool:
    with session_factory() as session:
        if not claim_delivery(session, delivery_id):
            session.rollback()
            return False
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        session.refresh(delivery)
        try:
            mail = compose(session, delivery, config, blobs)
        except Exception as exc:  # a missing row or blob: nothing was sent
            session.rollback()
            log.warning("delivery %s cannot be composed: %s", delivery_id, exc)
            _finish(session_factory, delivery_id, _Outcome("failed", f"compose: {exc}"))
            return False
        recipient, attempts = delivery.recipient, delivery.attempts
        session.commit()  # 'sending' and the Message-ID are durable before the SMTP call
    outcome = relay.send(mail, config.mail.group_address, recipient, attempts)
    if outcome.state != "sent":
        log.warning("delivery %s %s: %s", delivery_id, outcome.state, outcome.error)
    _finish(session_factory, delivery_id, outcome)
    return outcome.state == "sent"


def _finish(session_factory: sessionmaker[Session], delivery_id: int, outcome: _Outcome) -> None:
    with session_factory() as session, session.begin():
        delivery = session.get(Delivery, delivery_id)
        if delivery is None:
            return
        delivery.state = outcome.state
        delivery.last_error = outcome.error
        if outcome.state == "sent":
            delivery.sent_at = utcnow()
        update_summary(session, delivery.message_id)


async def send_forever(send: Callable[[], int], *, interval: float = 15.0) -> None:
    """Run a sender (`send_pending` or `sms.send_pending_sms` with its arguments bound)
    on a worker thread every `interval` seconds until cancelled; a failed round is
    logged and the next one tries again. Meant for the server's background tasks."""
    while True:
        try:
            await asyncio.to_thread(send)
        except Exception:
            log.exception("sending pending deliveries failed")
        await asyncio.sleep(interval)
