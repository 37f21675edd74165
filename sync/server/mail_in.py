"""Mail in (S7, P7): a new mail becomes a ticket, a customer's answer becomes a message
of the ticket it answers, attachments included.

The ticket is found, in order, by a reply-to address whose token is right, by
In-Reply-To/References naming a mail of ours or of theirs, or by "[#N]" in the subject
when the sender is that ticket's customer; otherwise the mail opens a ticket. Everything
is checked before anything is written, so a refused mail changes nothing. A mail whose
Message-ID was already taken in is applied once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from mimetypes import guess_extension

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.blobs import BlobStore, attach_file
from core.conversation import add_message
from core.enums import Channel, MessageKind, Role
from core.errors import ValidationError
from core.models import Contact, Delivery, Message, Ticket, User
from core.validation import clean_email
from sync.server.config import ServerConfig
from sync.server.mail_out import is_desk_address, ticket_id_from_address
from sync.server.services.system_users import system_user
from sync.server.services.tickets import create_ticket

MAIL_USERNAME = "mail"  # the system user that opens tickets from mail
NO_SUBJECT = "(no subject)"
TITLE_MAX = 300
_MSGID = re.compile(r"<([^<>\s]+)>")
_NUMBER_IN_SUBJECT = re.compile(r"\[#(\d{1,9})\]")
_MAX_MERGE_HOPS = 10


class MailRefused(Exception):
    """A mail the desk will not take; `reply` is the SMTP answer (5xx: do not retry)."""

    def __init__(self, code: int, status: str, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.reply = f"{code} {status} {text}"


class MailIgnored(Exception):
    """An automatic mail (auto-reply, bounce, list traffic): accepted and dropped, so an
    out-of-office answer to the desk's reply opens nothing and no mail loop starts."""


# RFC 3834 and the de-facto headers of auto-responders and bulk senders
_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_ROBOT_SENDERS = ("mailer-daemon@", "postmaster@")


def is_automatic(msg: EmailMessage) -> bool:
    submitted = str(msg.get("Auto-Submitted", "no")).strip().lower()
    if submitted and submitted != "no":
        return True
    if str(msg.get("Precedence", "")).strip().lower() in _BULK_PRECEDENCE:
        return True
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or msg.get("List-Id"):
        return True
    sender = str(msg.get("From", "")).lower()
    return any(robot in sender for robot in _ROBOT_SENDERS)


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    mime_type: str
    data: bytes


@dataclass(frozen=True)
class IncomingMail:
    """What the desk uses of one RFC 5322 message."""

    sender: str
    sender_name: str
    subject: str
    body: str
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    recipients: tuple[str, ...]
    attachments: tuple[MailAttachment, ...]
    automatic: bool = False


@dataclass(frozen=True)
class MailResult:
    ticket_id: str
    ticket_number: int | None
    message_id: str
    created: bool  # a new ticket
    duplicate: bool = False  # this Message-ID was taken in before; nothing written


# --- parsing ------------------------------------------------------------------------


def parse_mail(
    raw: bytes, *, envelope_recipients: Sequence[str] = (), max_attachment_bytes: int | None = None
) -> IncomingMail:
    """Read a raw message (stdlib `email`, policy=default). Raises MailRefused for bytes
    that are not a mail, a missing or invalid sender, or an attachment over the limit."""
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(msg, EmailMessage)
        sender, name = _sender(msg)
        body = _body_text(msg)
        attachments = tuple(_attachments(msg))
        mail = IncomingMail(
            sender=sender,
            sender_name=name,
            subject=" ".join(str(msg.get("Subject", "")).split()),
            body=body,
            message_id=next(iter(_msgids(msg.get("Message-ID"))), None),
            in_reply_to=tuple(_msgids(msg.get("In-Reply-To"))),
            references=tuple(_msgids(msg.get("References"))),
            recipients=tuple(dict.fromkeys([*envelope_recipients, *_header_addresses(msg)]).keys()),
            attachments=attachments,
            automatic=is_automatic(msg),
        )
    except MailRefused:
        raise
    except Exception as exc:  # the email package's many ways of saying "not a mail"
        raise MailRefused(554, "5.6.0", "The message could not be parsed.") from exc
    if max_attachment_bytes is not None:
        for attachment in mail.attachments:
            if len(attachment.data) > max_attachment_bytes:
                raise MailRefused(552, "5.3.4", f"Attachment {attachment.filename!r} is too large.")
    return mail


def _sender(msg: EmailMessage) -> tuple[str, str]:
    header = msg.get("From")
    addresses: tuple[Address, ...] = getattr(header, "addresses", ()) if header else ()
    if not addresses or not addresses[0].addr_spec:
        raise MailRefused(550, "5.1.7", "The message has no sender (From) address.")
    first = addresses[0]
    try:
        email = clean_email(first.addr_spec, field="from")
    except ValidationError as exc:
        raise MailRefused(550, "5.1.7", "The sender (From) address is not valid.") from exc
    return email, (first.display_name or "").strip()


def _msgids(header: object) -> Iterator[str]:
    """Message-IDs in a header, each as `<id>`; a bare id without brackets is taken too."""
    if header is None:
        return
    text = str(header)
    found = _MSGID.findall(text)
    if not found and text.strip() and " " not in text.strip():
        found = [text.strip()]
    for value in found:
        yield f"<{value}>"


def _header_addresses(msg: EmailMessage) -> Iterator[str]:
    for name in ("To", "Cc", "Delivered-To", "X-Original-To"):
        for header in msg.get_all(name) or ():
            for address in getattr(header, "addresses", ()):
                if address.addr_spec:
                    yield address.addr_spec


def _decoded_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _body_text(msg: EmailMessage) -> str:
    """The text/plain body, else the HTML body stripped to text."""
    part = msg.get_body(preferencelist=("plain", "html"))
    if not isinstance(part, EmailMessage):
        return ""
    text = _decoded_text(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return _tidy(text)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _leaves(part: EmailMessage) -> Iterator[EmailMessage]:
    """Every non-multipart part; an attached mail (message/rfc822) counts as one part."""
    if part.is_multipart() and part.get_content_type() != "message/rfc822":
        for sub in part.iter_parts():
            if isinstance(sub, EmailMessage):
                yield from _leaves(sub)
    else:
        yield part


def _attachments(msg: EmailMessage) -> Iterator[MailAttachment]:
    body = msg.get_body(preferencelist=("plain", "html"))
    for n, part in enumerate(_leaves(msg), start=1):
        if part is body:
            continue
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if part.get_content_maintype() == "text" and not filename and disposition != "attachment":
            continue  # the other alternative of the body, not a file
        mime_type = part.get_content_type()
        if mime_type == "message/rfc822":
            inner = part.get_payload(0)
            data = inner.as_bytes() if isinstance(inner, EmailMessage) else b""
        else:
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
        if not filename:
            filename = f"attachment-{n}{guess_extension(mime_type) or '.bin'}"
        yield MailAttachment(filename=filename, mime_type=mime_type, data=data)


class _HtmlText(HTMLParser):
    _BLOCKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})
    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(html: str) -> str:
    """Visible text of an HTML body, with block elements on their own lines."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")  # &nbsp; is layout, not content
    lines = (line.strip() for line in text.split("\n"))
    return _tidy("\n".join(lines))


def strip_quoted_tail(text: str) -> str:
    """A reply without the quoted mail below it ("> ..." lines at the end and the
    "On ..., X wrote:" line before them); the whole text when nothing else is left."""
    lines = text.split("\n")
    end = len(lines)
    quoted = False
    while end and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith(">")):
        quoted |= lines[end - 1].lstrip().startswith(">")
        end -= 1
    if not quoted:
        return text
    if end and lines[end - 1].rstrip().endswith(":"):
        end -= 1
    kept = "\n".join(lines[:end]).strip()
    return kept or text


# --- taking a mail in ---------------------------------------------------------------


def receive_mail(
    session: Session,
    raw: bytes,
    config: ServerConfig,
    blobs: BlobStore,
    *,
    envelope_recipients: Sequence[str] = (),
) -> MailResult:
    """Turn one raw mail into a ticket or a message of its ticket. The caller commits
    (or rolls back on an exception: MailRefused means a permanent refusal)."""
    mail = parse_mail(
        raw,
        envelope_recipients=envelope_recipients,
        max_attachment_bytes=config.max_upload_bytes,
    )
    if is_desk_address(mail.sender, config.mail):
        raise MailRefused(550, "5.7.1", "Mail from the desk's own address is not taken in.")
    if mail.automatic:
        raise MailIgnored(mail.message_id)
    if mail.message_id is not None:
        seen = session.scalars(
            select(Message).where(Message.email_message_id == mail.message_id).limit(1)
        ).first()
        if seen is not None:
            ticket = session.get(Ticket, seen.ticket_id)
            number = ticket.number if ticket is not None else None
            return MailResult(seen.ticket_id, number, seen.id, created=False, duplicate=True)
    ticket = find_ticket(session, mail, config)
    contact = find_or_create_contact(session, mail.sender, mail.sender_name)
    created = ticket is None
    if ticket is None:
        ticket = create_ticket(
            session,
            mail_user(session),
            title=_title(mail),
            contact_email=mail.sender,
            channel=Channel.EMAIL,
            description=mail.body,
            contact_id=contact.id,
            team_id=config.mail.team_id,
            routed=True,
        )
        body = mail.body
    else:
        body = strip_quoted_tail(mail.body)
    message = add_customer_mail(session, ticket, contact, body, mail.message_id)
    session.flush()
    for attachment in mail.attachments:
        attach_file(
            session,
            blobs,
            ticket_id=ticket.id,
            message_id=message.id,
            filename=attachment.filename,
            data=attachment.data,
            mime_type=attachment.mime_type,
        )
    session.flush()
    return MailResult(ticket.id, ticket.number, message.id, created=created)


def _title(mail: IncomingMail) -> str:
    title = mail.subject or next((ln for ln in mail.body.split("\n") if ln.strip()), "")
    title = title.strip() or NO_SUBJECT
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"


def add_customer_mail(
    session: Session, ticket: Ticket, contact: Contact, body: str, email_message_id: str | None
) -> Message:
    """A customer's mail as a message of `ticket`. `services.messages.post_message` takes
    a User, and a mailing customer is a contact, so this calls the core rule directly:
    read states and the ticket's version move as for any customer reply (I6)."""
    return add_message(
        session,
        ticket,
        kind=MessageKind.CUSTOMER_REPLY,
        body=body,
        author_contact_id=contact.id,
        channel=Channel.EMAIL,
        email_message_id=email_message_id,
    )


def mail_user(session: Session) -> User:
    """The system user that opens tickets from mail: it cannot log in (no password,
    inactive) and follows nothing."""
    return system_user(session, MAIL_USERNAME, "Mail", Role.AGENT)


def find_or_create_contact(session: Session, email: str, name: str) -> Contact:
    """The contact with this address (the oldest, case-insensitively), or a new one
    named by the mail's display name (or the address)."""
    by_time = (Contact.created_at, Contact.id)
    contact = session.scalars(
        select(Contact).where(Contact.email == email).order_by(*by_time).limit(1)
    ).first()
    if contact is None:
        contact = session.scalars(
            select(Contact)
            .where(func.lower(Contact.email) == email.lower())
            .order_by(*by_time)
            .limit(1)
        ).first()
    if contact is None:
        contact = Contact(name=(name or email)[:200], email=email)
        session.add(contact)
        session.flush()
    return contact


def find_ticket(session: Session, mail: IncomingMail, config: ServerConfig) -> Ticket | None:
    """The ticket a mail answers, or None for a new request."""
    ticket_id = next(
        (tid for a in mail.recipients if (tid := ticket_id_from_address(a, config))), None
    )
    if ticket_id is None:
        ticket_id = _ticket_by_thread(session, [*mail.in_reply_to, *reversed(mail.references)])
    if ticket_id is None:
        ticket_id = _ticket_by_subject(session, mail)
    if ticket_id is None:
        return None
    return _follow_merges(session, session.get(Ticket, ticket_id))


def _ticket_by_thread(session: Session, ids: Iterable[str]) -> str | None:
    """The ticket of the first of `ids` (most relevant first) that is a mail we know."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return None
    found: dict[str, str] = {}
    for msgid, ticket_id in session.execute(
        select(Delivery.email_message_id, Message.ticket_id)
        .join(Message, Message.id == Delivery.message_id)
        .where(Delivery.email_message_id.in_(wanted))
    ):
        found.setdefault(str(msgid), ticket_id)
    for msgid, ticket_id in session.execute(
        select(Message.email_message_id, Message.ticket_id).where(
            Message.email_message_id.in_(wanted)
        )
    ):
        found.setdefault(str(msgid), ticket_id)
    return next((found[m] for m in wanted if m in found), None)


def _ticket_by_subject(session: Session, mail: IncomingMail) -> str | None:
    """A "[#N]" in the subject counts only when the sender is ticket N's customer: a
    number is easy to guess, so it must not let anyone write into any ticket."""
    match = _NUMBER_IN_SUBJECT.search(mail.subject)
    if match is None:
        return None
    ticket = session.scalars(select(Ticket).where(Ticket.number == int(match[1]))).first()
    if ticket is None or ticket.contact_email.lower() != mail.sender.lower():
        return None
    return ticket.id


def _follow_merges(session: Session, ticket: Ticket | None) -> Ticket | None:
    """A merged ticket's answers go to the ticket it was merged into (O6)."""
    for _ in range(_MAX_MERGE_HOPS):
        if ticket is None or ticket.merged_into_id is None:
            break
        ticket = session.get(Ticket, ticket.merged_into_id)
    return ticket
