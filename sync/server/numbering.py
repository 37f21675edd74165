"""Human ticket numbers, given by the server in the create transaction."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.models import SyncCounter, Ticket

TICKET_NUMBER = "ticket_number"


def next_ticket_number(session: Session) -> int:
    """The next number; the counter row's lock keeps concurrent creators apart."""
    value = session.execute(
        update(SyncCounter)
        .where(SyncCounter.name == TICKET_NUMBER)
        .values(value=SyncCounter.value + 1)
        .returning(SyncCounter.value)
    ).scalar_one_or_none()
    if value is not None:
        return int(value)
    highest = session.scalar(select(Ticket.number).order_by(Ticket.number.desc()).limit(1)) or 0
    session.add(SyncCounter(name=TICKET_NUMBER, value=highest + 1))
    session.flush()
    return highest + 1


def assign_number(session: Session, ticket: Ticket) -> int:
    if ticket.number is None:
        ticket.number = next_ticket_number(session)
    return ticket.number
