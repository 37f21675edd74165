"""What customers do on the portal (S9, C1, C2, C4, C5) and through the public web form
(S2). Tickets and posts go through services.tickets and services.messages like every
other writer; this module adds what is the customer's own: the department/subject
catalogue, the requester checks, and the view of a ticket with nothing internal in it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import BinaryIO, cast

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from core.blobs import BlobStore, attach_file
from core.enums import Channel, MessageKind, Resolution, Role, Status, Urgency
from core.errors import DomainError, PermissionDenied, ValidationError
from core.models import (
    Attachment,
    Contact,
    Department,
    Message,
    Subject,
    Ticket,
    TicketFollower,
    User,
)
from core.read_state import mark_not_resolved, mark_resolved
from core.textnorm import fold
from core.validation import clean_email, require_text
from core.visibility import PUBLIC_KINDS
from sync.server.errors import Conflict
from sync.server.mail_in import find_or_create_contact
from sync.server.services import messages as message_service
from sync.server.services import tickets as ticket_service
from sync.server.services.system_users import system_user

WEB_FORM_USERNAME = "web-form"  # the system user that files the public form's tickets
MAX_TITLE = 300
MAX_NAME = 200
MAX_MOBILE = 40
MAX_FILENAME = 255


# --- the catalogue (C1) --------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogSubject:
    id: str
    name: str


@dataclass(frozen=True)
class CatalogDepartment:
    id: str
    name: str
    category: str | None
    subjects: list[CatalogSubject]


def catalog(session: Session) -> list[CatalogDepartment]:
    """Active departments by name, each with its subjects in their order."""
    departments = session.scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.name)
    ).all()
    subjects: dict[str, list[CatalogSubject]] = {d.id: [] for d in departments}
    if departments:
        rows = session.scalars(
            select(Subject)
            .where(Subject.department_id.in_(list(subjects)))
            .order_by(Subject.sequence, Subject.name, Subject.id)
        )
        for row in rows:
            subjects[row.department_id].append(CatalogSubject(row.id, row.name))
    return [
        CatalogDepartment(d.id, d.name, d.category.value if d.category else None, subjects[d.id])
        for d in departments
    ]


def urgency_choices() -> list[tuple[int, str]]:
    return [(u.value, u.name.lower()) for u in Urgency]


def check_department_subject(session: Session, department_id: str, subject_id: str) -> Department:
    """C1: an active department and one of its own subjects, or a 422 naming the field."""
    ticket_service.check_id("department_id", department_id)
    ticket_service.check_id("subject_id", subject_id)
    department = session.get(Department, department_id)
    if department is None or not department.active:
        raise ValidationError("department_id", "That department does not exist.", code="not_found")
    subject = session.get(Subject, subject_id)
    if subject is None:
        raise ValidationError("subject_id", "That subject does not exist.", code="not_found")
    if subject.department_id != department.id:
        raise ValidationError(
            "subject_id",
            "That subject belongs to another department.",
            code="subject_not_in_department",
        )
    return department


def check_urgency(value: int) -> Urgency:
    try:
        return Urgency(value)
    except ValueError as exc:
        raise ValidationError(
            "urgency", f"{value!r} is not a valid urgency.", code="invalid_choice"
        ) from exc


# --- the portal user's own tickets ---------------------------------------------------------


def customer_contact(session: Session, user: User) -> Contact:
    """The contact a portal login belongs to (S9); a login without one can do nothing."""
    contact = session.get(Contact, user.contact_id) if user.contact_id else None
    if user.role is not Role.PORTAL or contact is None:
        raise PermissionDenied("This login is not linked to a customer contact.")
    return contact


def create_portal_ticket(
    session: Session,
    user: User,
    *,
    department_id: str,
    subject_id: str,
    urgency: int,
    title: str,
    text: str,
) -> Ticket:
    """C1, C2, S9: the customer's ticket, sent to the department's team, numbered and
    auto-assigned by services.tickets; the customer's contact follows it. The caller
    commits."""
    contact = customer_contact(session, user)
    department = check_department_subject(session, department_id, subject_id)
    level = check_urgency(urgency)
    email = contact.email or user.email
    if not email:
        raise ValidationError(
            "contact_email",
            "Your contact has no email address; ask the desk to add one.",
            code="email_required",
        )
    return ticket_service.create_ticket(
        session,
        user,
        title=require_text(title, field="title", max_length=MAX_TITLE),
        contact_email=email,
        channel=Channel.PORTAL,
        description=require_text(text, field="text", max_length=100_000),
        contact_id=contact.id,
        contact_mobile=contact.mobile,
        department_id=department.id,
        subject_id=subject_id,
        team_id=department.team_id,
        urgency=int(level),
    )


def is_requester(session: Session, user: User, ticket: Ticket) -> bool:
    """Whether the portal user's contact is the ticket's customer (its contact, or a
    contact following the ticket itself), not just someone who may read it through a
    public team they follow (O3)."""
    if user.contact_id is None:
        return False
    if ticket.contact_id == user.contact_id:
        return True
    return (
        session.scalar(
            select(TicketFollower.id)
            .where(
                TicketFollower.ticket_id == ticket.id,
                TicketFollower.contact_id == user.contact_id,
            )
            .limit(1)
        )
        is not None
    )


def _require_requester(session: Session, user: User, ticket: Ticket) -> None:
    if not is_requester(session, user, ticket):
        raise PermissionDenied("Only the customer who sent this ticket may do this.")


def _require_open_to_customer(ticket: Ticket) -> None:
    if ticket.merged_into_id is not None or ticket.archived:
        raise Conflict("This ticket is closed for changes.", code="ticket_archived")


def reply(session: Session, user: User, ticket: Ticket, text: str) -> Message:
    """C4, I5: the customer's answer stays in the same ticket. The caller commits."""
    _require_open_to_customer(ticket)
    body = require_text(text, field="text", max_length=100_000)
    return message_service.post_message(
        session, user, ticket, kind=MessageKind.CUSTOMER_REPLY, body=body
    )


def resolve(
    session: Session, user: User, ticket: Ticket, *, rating: int, comment: str | None
) -> None:
    """C5: the answer solved it; rated 1-5 and closed (core.read_state.mark_resolved)."""
    _require_requester(session, user, ticket)
    _require_open_to_customer(ticket)
    if ticket.resolution is Resolution.RESOLVED and ticket.status is Status.CLOSED:
        raise Conflict("This ticket is already marked resolved.", code="already_resolved")
    mark_resolved(session, ticket, rating=rating, comment=comment)


def not_resolved(
    session: Session, user: User, ticket: Ticket, *, text: str, rating: int | None
) -> Message:
    """C5: the answer did not solve it; the ticket reopens with `text` as a new post."""
    _require_requester(session, user, ticket)
    _require_open_to_customer(ticket)
    try:
        return mark_not_resolved(
            session,
            ticket,
            description=text,
            rating=rating,
            author_contact_id=user.contact_id,
            channel=Channel.PORTAL,
        )
    except ValidationError as exc:
        if exc.field == "description":  # the portal calls it `text`
            raise ValidationError(
                "text", exc.message.replace("description", "text"), code=exc.code
            ) from exc
        raise


def public_messages(session: Session, ticket: Ticket, *, limit: int) -> list[Message]:
    """S6: only replies, oldest first; never internal notes or system events."""
    return list(
        session.scalars(
            select(Message)
            .where(Message.ticket_id == ticket.id, Message.kind.in_(PUBLIC_KINDS))
            .order_by(Message.created_at, Message.id)
            .limit(limit)
        )
    )


def public_attachments(session: Session, ticket: Ticket) -> list[Attachment]:
    """The ticket's files the customer may have: on the ticket itself or on a reply,
    never on an internal note (S6)."""
    return list(
        session.scalars(
            select(Attachment)
            .where(
                Attachment.ticket_id == ticket.id,
                or_(
                    Attachment.message_id.is_(None),
                    exists().where(
                        Message.id == Attachment.message_id, Message.kind.in_(PUBLIC_KINDS)
                    ),
                ),
            )
            .order_by(Attachment.created_at, Attachment.id)
        )
    )


def _mime(value: str | None) -> str:
    text = (value or "").strip()
    if not text or len(text) > 120 or not text.isascii() or not text.isprintable():
        return "application/octet-stream"
    return text


def check_filename(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or "\x00" in name or len(name) > MAX_FILENAME:
        raise ValidationError("file", "The file name is not valid.", code="invalid_filename")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(
            "file", "The file name is not valid.", code="invalid_filename"
        ) from exc
    return name


def add_customer_file(
    session: Session,
    store: BlobStore,
    user: User | None,
    ticket: Ticket,
    *,
    filename: str,
    data: bytes | BinaryIO,
    mime_type: str | None,
    message_id: str | None = None,
) -> Attachment:
    """C2, I2: a customer's file (receipt, screenshot) on their ticket or on one of their
    own replies; `user` None is the public web form filing a new ticket. The caller
    commits; the upload size is capped by the server before this runs (413)."""
    if user is not None:
        _require_requester(session, user, ticket)
        _require_open_to_customer(ticket)
    if message_id is not None:
        ticket_service.check_id("message_id", message_id)
        message = session.get(Message, message_id)
        if (
            message is None
            or message.ticket_id != ticket.id
            or message.kind is not MessageKind.CUSTOMER_REPLY
            or user is None
            or message.author_contact_id != user.contact_id
        ):
            raise ValidationError(
                "message_id", "That is not one of your messages on this ticket.", code="not_found"
            )
    name = check_filename(filename)
    if isinstance(data, bytes | bytearray) and not data:
        raise ValidationError("file", "The file is empty.", code="empty_file")
    attachment = attach_file(
        session,
        store,
        ticket_id=ticket.id,
        message_id=message_id,
        filename=name,
        data=data,
        mime_type=_mime(mime_type),
    )
    if attachment.size == 0:
        session.expunge(attachment)
        raise ValidationError("file", "The file is empty.", code="empty_file")
    return attachment


# --- the public web form (S2) --------------------------------------------------------------


@dataclass(frozen=True)
class WebFormInput:
    """What the form sends; every field is checked again here, whatever the page did."""

    name: str
    email: str
    mobile: str | None
    department_id: str
    subject_id: str
    urgency: int
    title: str
    text: str


def check_mobile(value: str | None) -> str | None:
    """Digits (Persian or Arabic-Indic are folded), spaces, +, - and parentheses."""
    text = fold((value or "").strip())
    if not text:
        return None
    allowed = set("0123456789+-() ")
    digits = sum(c.isdigit() for c in text)
    if len(text) > MAX_MOBILE or not set(text) <= allowed or not 7 <= digits <= 15:
        raise ValidationError("mobile", "That is not a valid mobile number.", code="mobile_invalid")
    return text


def web_form_user(session: Session) -> User:
    """The system user that files the public form's tickets: a portal role (the ticket
    goes to its department's team like a portal ticket), inactive and without a password,
    so nobody can log in as it."""
    return system_user(session, WEB_FORM_USERNAME, "Web form", Role.PORTAL)


class WebFormInvalid(ValidationError):
    """Every bad field of one submission at once, so the page can mark them all; the
    first one is this error's own field, code and message."""

    def __init__(self, errors: list[ValidationError]) -> None:
        first = errors[0]
        super().__init__(first.field, first.message, code=first.code)
        self.errors = errors


def check_web_form(session: Session, form: WebFormInput) -> WebFormInput:
    """The submission with every field checked and cleaned, or WebFormInvalid listing
    each bad field (the page shows them beside the fields)."""
    errors: list[ValidationError] = []
    clean: dict[str, object] = {}

    def run(field: str, check: Callable[[], object]) -> None:
        try:
            clean[field] = check()
        except ValidationError as exc:
            errors.append(exc)

    run("name", lambda: require_text(form.name, field="name", max_length=MAX_NAME))
    run("email", lambda: clean_email(form.email, field="email"))
    run("mobile", lambda: check_mobile(form.mobile))
    run(
        "department_id",
        lambda: check_department_subject(session, form.department_id, form.subject_id).id,
    )
    run("urgency", lambda: int(check_urgency(form.urgency)))
    run("title", lambda: require_text(form.title, field="title", max_length=MAX_TITLE))
    # browsers send a textarea's line ends as CRLF (HTML form encoding): store plain LF
    text = form.text.replace("\r\n", "\n")
    run("text", lambda: require_text(text, field="text", max_length=100_000))
    if errors:
        raise WebFormInvalid(errors)
    return replace(
        form,
        name=str(clean["name"]),
        email=str(clean["email"]),
        mobile=cast("str | None", clean["mobile"]),
        title=str(clean["title"]),
        text=str(clean["text"]),
    )


def create_web_form_ticket(session: Session, form: WebFormInput) -> Ticket:
    """S2: a ticket from the public form, its customer found by email (the oldest contact
    with it) or created. An existing contact's name and mobile are not overwritten from an
    anonymous form; the typed mobile goes on the ticket. The caller commits."""
    checked = check_web_form(session, form)
    department = session.get(Department, checked.department_id)
    assert department is not None  # checked above
    contact = find_or_create_contact(session, checked.email, checked.name)
    if contact.mobile is None and checked.mobile is not None:
        contact.mobile = checked.mobile
    return ticket_service.create_ticket(
        session,
        web_form_user(session),
        title=checked.title,
        contact_email=checked.email,
        channel=Channel.WEB_FORM,
        description=checked.text,
        contact_id=contact.id,
        contact_mobile=checked.mobile,
        department_id=department.id,
        subject_id=checked.subject_id,
        team_id=department.team_id,
        urgency=checked.urgency,
    )


class RateLimited(DomainError):
    """Too many requests from one client, or from everyone, in the window."""

    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests; try again in {retry_after} seconds.")
        self.retry_after = retry_after


class SubmitLimiter:
    """A sliding-window cap on the public form's submissions: at most `per_client` per
    client address and `overall` in total within `window` seconds, in this process
    (each --workers process keeps its own). The address is the socket peer's: behind a
    reverse proxy every client shares the proxy's address, so the per-client cap then
    acts as a second overall cap. Memory is bounded by `max_clients` addresses."""

    def __init__(
        self,
        *,
        per_client: int = 10,
        overall: int = 300,
        window: float = 600.0,
        max_clients: int = 10_000,
    ) -> None:
        self.per_client = per_client
        self.overall = overall
        self.window = window
        self.max_clients = max_clients
        self._clients: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self._lock = threading.Lock()

    def _retry_after(self, oldest: float, now: float) -> int:
        return max(1, int(oldest + self.window - now + 0.999))

    def check(self, client: str, now: float | None = None) -> None:
        """Count one submission from `client`, or raise RateLimited (counting nothing)."""
        at = time.monotonic() if now is None else now
        with self._lock:
            cutoff = at - self.window
            while self._all and self._all[0] <= cutoff:
                self._all.popleft()
            mine = self._clients.get(client)
            if mine is not None:
                while mine and mine[0] <= cutoff:
                    mine.popleft()
            if len(self._all) >= self.overall:
                raise RateLimited(self._retry_after(self._all[0], at))
            if mine is not None and len(mine) >= self.per_client:
                raise RateLimited(self._retry_after(mine[0], at))
            if mine is None:
                if len(self._clients) >= self.max_clients:
                    self._forget_idle(cutoff)
                mine = self._clients.setdefault(client, deque())
            mine.append(at)
            self._all.append(at)

    def _forget_idle(self, cutoff: float) -> None:
        for key in [k for k, v in self._clients.items() if not v or v[-1] <= cutoff]:
            del self._clients[key]
        while len(self._clients) >= self.max_clients:  # all busy: drop the oldest entries
            del self._clients[next(iter(self._clients))]
