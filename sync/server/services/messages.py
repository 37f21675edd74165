"""Posting to a conversation on the server: the core rules, then the deliveries to the
customer for an agent reply (S7, I4); internal notes never leave (S6)."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core.conversation import add_message
from core.enums import Channel, MessageKind, Role
from core.errors import PermissionDenied
from core.followers import customer_contacts
from core.models import Message, Ticket, User
from core.visibility import visible_messages_clause
from sync.server import mail_out, sms
from sync.server.database import CONFIG_KEY
from sync.server.errors import Conflict
from sync.server.services.tickets import check_id, decode_cursor, encode_cursor

# what each side may write
STAFF_KINDS = (MessageKind.AGENT_REPLY, MessageKind.INTERNAL_NOTE)


def post_message(
    session: Session,
    actor: User,
    ticket: Ticket,
    *,
    kind: MessageKind,
    body: str,
    message_id: str | None = None,
    channel: Channel | None = None,
    email_message_id: str | None = None,
) -> Message:
    if message_id is not None:
        check_id("id", message_id)
        if session.get(Message, message_id) is not None:
            raise Conflict("A message with that id already exists.", code="duplicate_id")
    if actor.role is Role.PORTAL:
        if kind is not MessageKind.CUSTOMER_REPLY:
            raise PermissionDenied("Customers can only reply.")
        message = add_message(
            session,
            ticket,
            kind=kind,
            body=body,
            author_contact_id=actor.contact_id,
            channel=channel or Channel.PORTAL,
            message_id=message_id,
            email_message_id=email_message_id,
        )
    else:
        if kind not in STAFF_KINDS:
            raise PermissionDenied("Staff post replies or internal notes.")
        message = add_message(
            session,
            ticket,
            kind=kind,
            body=body,
            author_user_id=actor.id,
            channel=channel or Channel.AGENT,
            message_id=message_id,
            email_message_id=email_message_id,
        )
    session.flush()
    if kind is MessageKind.AGENT_REPLY:
        # the customers are looked up once for both channels
        contacts = customer_contacts(session, ticket, exclude_contact_id=None)
        mail_out.queue_deliveries(session, message, ticket, contacts)
        config = session.info.get(CONFIG_KEY)
        if config is not None:
            sms.queue_sms(session, message, ticket, config.sms, contacts)
    return message


def message_page(
    session: Session, actor: User, ticket: Ticket, *, limit: int, after: str | None = None
) -> tuple[list[Message], str | None]:
    """One page of a ticket's conversation, oldest first by (created_at, id), holding only
    what `actor` may read: staff every kind, customers never notes or events (S6)."""
    query = select(Message).where(Message.ticket_id == ticket.id, visible_messages_clause(actor))
    if after is not None:
        at, ident = decode_cursor(after)
        query = query.where(
            or_(Message.created_at > at, and_(Message.created_at == at, Message.id > ident))
        )
    rows = list(session.scalars(query.order_by(Message.created_at, Message.id).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].created_at, rows[-1].id)
