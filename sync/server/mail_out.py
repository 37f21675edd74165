"""Mail to customers (S7, I4): an agent reply becomes one delivery per customer address,
sent at most once per message and recipient."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.followers import recipients_for_update
from core.models import Contact, Delivery, Message, Ticket


def queue_deliveries(session: Session, message: Message, ticket: Ticket) -> list[Delivery]:
    """Pending email deliveries of a public reply to the ticket's customers; none when
    the ticket has no contact (S5) and never for internal notes (S6)."""
    if not message.is_public:
        return []
    recipients = recipients_for_update(
        session, ticket, include_internal=False, exclude_contact_id=message.author_contact_id
    )
    addresses: set[str] = set()
    if recipients.contact_ids:
        addresses |= {
            e
            for e in session.scalars(
                select(Contact.email).where(Contact.id.in_(recipients.contact_ids))
            )
            if e
        }
    deliveries = [
        Delivery(message_id=message.id, channel="email", recipient=address)
        for address in sorted(addresses)
    ]
    session.add_all(deliveries)
    return deliveries
