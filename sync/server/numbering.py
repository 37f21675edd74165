"""Human ticket numbers, given by the server in the create transaction.

On PostgreSQL they come from a sequence: taking one locks nothing, so concurrent pushes
that create tickets do not queue behind each other (a rolled-back create leaves a gap,
which people tolerate in ticket numbers). SQLite writers are serialised anyway, so a
counter row serves there.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select, text, update
from sqlalchemy.orm import Session

from core.models import SyncCounter, Ticket

TICKET_NUMBER = "ticket_number"
SEQUENCE = "ticket_number_seq"


def _postgres(session: Session | Connection) -> bool:
    bind = session.get_bind() if isinstance(session, Session) else session
    return bind.dialect.name == "postgresql"


def next_ticket_number(session: Session) -> int:
    if _postgres(session):
        return int(session.execute(text(f"SELECT nextval('{SEQUENCE}')")).scalar_one())
    value = session.execute(
        update(SyncCounter)
        .where(SyncCounter.name == TICKET_NUMBER)
        .values(value=SyncCounter.value + 1)
        .returning(SyncCounter.value)
    ).scalar_one_or_none()
    if value is not None:
        return int(value)
    highest = session.scalar(select(func.max(Ticket.number))) or 0
    session.add(SyncCounter(name=TICKET_NUMBER, value=highest + 1))
    session.flush()
    return highest + 1


def continue_after_highest(conn: Connection) -> None:
    """Make the next number follow the highest in use (after bulk loads, upgrades); never
    moves the sequence back, so a server starting beside a running one is harmless."""
    highest = int(conn.scalar(select(func.max(Ticket.number))) or 0)
    if _postgres(conn):
        conn.execute(text(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}"))
        if highest > 0:
            conn.execute(
                text(
                    f"SELECT setval('{SEQUENCE}', GREATEST(:v, last_value), true) FROM {SEQUENCE}"
                ),
                {"v": highest},
            )
    conn.execute(update(SyncCounter).where(SyncCounter.name == TICKET_NUMBER).values(value=highest))


def assign_number(session: Session, ticket: Ticket) -> int:
    if ticket.number is None:
        with session.no_autoflush:  # the number goes into the INSERT, not a later UPDATE
            ticket.number = next_ticket_number(session)
    return ticket.number
