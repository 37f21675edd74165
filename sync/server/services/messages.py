"""Posting to a conversation on the server: the core rules, then the deliveries to the
customer for an agent reply (S7, I4); internal notes never leave (S6)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.conversation import add_message
from core.enums import Channel, MessageKind, Role
from core.errors import PermissionDenied
from core.models import Message, Ticket, User
from sync.server import mail_out

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
        mail_out.queue_deliveries(session, message, ticket)
    return message
