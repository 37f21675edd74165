"""Reading one ticket's conversation for display (D4, S6, I6, C5): the header facts and
every message with its author and attachments, in two queries whatever the length."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from core.enums import CustomerState, MessageKind, Resolution, StaffState, Status
from core.errors import NotFoundError
from core.models import Attachment, Contact, Message, OutboxMutation, Stage, Ticket, User


@dataclass(frozen=True)
class AttachmentInfo:
    id: str
    filename: str
    mime_type: str
    size: int
    content_hash: str


@dataclass(frozen=True)
class ThreadMessage:
    """One entry of the conversation as plain values (built on the DB worker)."""

    id: str
    kind: MessageKind
    body: str
    author: str
    author_user_id: str | None
    created_at: datetime
    event: str | None = None
    event_params: dict[str, str] | None = None
    pending: bool = False  # posted here, not yet accepted by the server
    attachments: tuple[AttachmentInfo, ...] = ()
    # the server's word on its mail/SMS to the customer (S7, I4): None (goes nowhere),
    # "pending", "sent" or "failed", and why it failed
    delivery_state: str | None = None
    delivery_error: str | None = None

    @property
    def is_public(self) -> bool:
        return self.kind in (MessageKind.CUSTOMER_REPLY, MessageKind.AGENT_REPLY)


@dataclass(frozen=True)
class TicketHeader:
    id: str
    number: int | None
    title: str
    status: Status
    stage: str | None
    contact: str
    contact_email: str
    staff_state: StaffState
    customer_state: CustomerState
    resolution: Resolution | None
    rating: int | None
    rating_comment: str | None
    merged_into_id: str | None
    merged_into_number: int | None
    archived: bool


@dataclass(frozen=True)
class Thread:
    header: TicketHeader
    messages: list[ThreadMessage] = field(default_factory=list)

    @property
    def message_ids(self) -> frozenset[str]:
        return frozenset(m.id for m in self.messages)


def load_header(session: Session, ticket_id: str) -> TicketHeader:
    merged = aliased(Ticket)
    row = session.execute(
        select(Ticket, Stage.name, Contact.name, merged.number)
        .outerjoin(Stage, Stage.id == Ticket.stage_id)
        .outerjoin(Contact, Contact.id == Ticket.contact_id)
        .outerjoin(merged, merged.id == Ticket.merged_into_id)
        .where(Ticket.id == ticket_id)
    ).first()
    if row is None:
        raise NotFoundError(f"Ticket {ticket_id} is not in the cache.")
    ticket, stage, contact, merged_number = row
    return TicketHeader(
        id=ticket.id,
        number=ticket.number,
        title=ticket.title,
        status=Status(ticket.status),
        stage=stage,
        contact=contact or ticket.contact_email,
        contact_email=ticket.contact_email,
        staff_state=StaffState(ticket.staff_state),
        customer_state=CustomerState(ticket.customer_state),
        resolution=Resolution(ticket.resolution) if ticket.resolution else None,
        rating=ticket.rating,
        rating_comment=ticket.rating_comment,
        merged_into_id=ticket.merged_into_id,
        merged_into_number=merged_number,
        archived=bool(ticket.archived),
    )


def load_thread(session: Session, ticket_id: str) -> Thread:
    """The header and every message of `ticket_id`, oldest first."""
    header = load_header(session, ticket_id)
    attachments: dict[str | None, list[AttachmentInfo]] = defaultdict(list)
    for a in session.scalars(
        select(Attachment).where(Attachment.ticket_id == ticket_id).order_by(Attachment.created_at)
    ):
        attachments[a.message_id].append(
            AttachmentInfo(a.id, a.filename, a.mime_type, a.size, a.content_hash)
        )
    pending = set(
        session.scalars(
            select(OutboxMutation.entity_id).where(
                OutboxMutation.ticket_id == ticket_id,
                OutboxMutation.name == "message.create",
                OutboxMutation.state.is_(None),
            )
        )
    )
    rows = session.execute(
        select(
            Message.id,
            Message.kind,
            Message.body,
            Message.author_user_id,
            Message.created_at,
            Message.event,
            Message.event_params,
            Message.delivery_state,
            Message.delivery_error,
            User.display_name,
            Contact.name,
            Contact.email,
        )
        .outerjoin(User, User.id == Message.author_user_id)
        .outerjoin(Contact, Contact.id == Message.author_contact_id)
        .where(Message.ticket_id == ticket_id)
        .order_by(Message.created_at, Message.id)
    ).all()
    messages = [
        ThreadMessage(
            id=r.id,
            kind=MessageKind(r.kind),
            body=r.body,
            author=r.display_name or r.name or r.email or "",
            author_user_id=r.author_user_id,
            created_at=r.created_at,
            event=r.event,
            event_params=r.event_params,
            pending=r.id in pending,
            attachments=tuple(attachments.get(r.id, ())),
            delivery_state=r.delivery_state,
            delivery_error=r.delivery_error,
        )
        for r in rows
    ]
    return Thread(header, messages)


def ticket_attachments(thread: Thread) -> list[AttachmentInfo]:
    """Every attachment shown in the thread, in order."""
    return [a for m in thread.messages for a in m.attachments]
