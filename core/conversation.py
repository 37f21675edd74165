"""Adding to a ticket's conversation (S6, D4): every post goes through here so read states,
first-response times and followers stay right whoever writes (window, API, mail)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.enums import Channel, MessageKind
from core.ids import utcnow
from core.models import Message, Ticket


def add_message(
    session: Session,
    ticket: Ticket,
    *,
    kind: MessageKind,
    body: str,
    author_user_id: str | None = None,
    author_contact_id: str | None = None,
    channel: Channel = Channel.AGENT,
    email_message_id: str | None = None,
    message_id: str | None = None,
) -> Message:
    """Append one message and touch the ticket; the caller commits."""
    message = Message(
        ticket_id=ticket.id,
        kind=kind,
        body=body,
        author_user_id=author_user_id,
        author_contact_id=author_contact_id,
        channel=channel,
        email_message_id=email_message_id,
    )
    if message_id is not None:
        message.id = message_id
    session.add(message)
    now = utcnow()
    if kind is MessageKind.AGENT_REPLY and ticket.first_response_at is None:
        ticket.first_response_at = now
    ticket.updated_at = now
    ticket.version += 1
    return message


def add_system_event(session: Session, ticket: Ticket, body: str) -> Message:
    """A line that records what a rule did (merge, conversion, assignment)."""
    return add_message(
        session, ticket, kind=MessageKind.SYSTEM_EVENT, body=body, channel=Channel.RULE
    )
