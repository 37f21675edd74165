"""Adding to a ticket's conversation (S6, D4): every post goes through here so read states,
first-response times and followers stay right whoever writes (window, API, mail)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.enums import Channel, MessageKind
from core.followers import auto_follow
from core.ids import utcnow
from core.models import Message, Ticket
from core.read_state import apply_event, event_for_message
from core.system_events import SystemEvent, render

# posts by which a staff author takes part in a ticket, so auto-follow applies (S4)
_STAFF_POSTS = (MessageKind.AGENT_REPLY, MessageKind.INTERNAL_NOTE)


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
    follow_up: bool = False,
) -> Message:
    """Append one message and touch the ticket; the caller commits.

    Moves the read states (I6): an agent reply makes the ticket answered (or answered,
    following up when `follow_up`) and unread for the customer; a customer reply makes it
    unread for staff; internal notes and system events leave the customer side alone.
    A staff author with auto-follow on starts following the ticket (S4).
    """
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
    apply_event(ticket, event_for_message(kind, follow_up=follow_up))
    # the ticket's own changes first, so they go out in one UPDATE when auto-follow's
    # query flushes
    ticket.updated_at = now
    ticket.version += 1
    if kind in _STAFF_POSTS:
        auto_follow(session, ticket, author_user_id)
    return message


def add_system_event(
    session: Session, ticket: Ticket, event: SystemEvent, /, **params: str
) -> Message:
    """A line that records what a rule did (merge, conversion, assignment)."""
    message = add_message(
        session,
        ticket,
        kind=MessageKind.SYSTEM_EVENT,
        body=render(event, params),
        channel=Channel.RULE,
    )
    message.event = event.value
    message.event_params = dict(params)
    return message
