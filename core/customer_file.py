"""The customer's file (P6, S1): a contact or an account with every earlier ticket, of
every status and archived ones too, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, aliased

from core.enums import Status
from core.errors import NotFoundError
from core.models import Account, Contact, Stage, Team, Ticket, User
from core.models.ticket import ticket_contacts

# a file longer than this shows the newest ones and says how many there are
MAX_TICKETS = 2000


@dataclass(frozen=True)
class FileTicket:
    """One line of the file's ticket list."""

    id: str
    number: int | None
    title: str
    status: Status
    stage: str | None
    team: str | None
    assignee: str | None
    created_at: datetime
    updated_at: datetime
    archived: bool


@dataclass(frozen=True)
class PersonRef:
    id: str
    name: str


@dataclass(frozen=True)
class CustomerFile:
    """A contact's or an account's file. `kind` is "contact" or "account"."""

    kind: str
    id: str
    name: str
    email: str | None
    phone: str | None
    address: str | None
    account: PersonRef | None  # a contact's account
    contacts: tuple[PersonRef, ...]  # an account's contacts
    tickets: tuple[FileTicket, ...]
    total: int

    @property
    def open_count(self) -> int:
        return sum(1 for t in self.tickets if t.status is not Status.CLOSED and not t.archived)


def _tickets(session: Session, where: ColumnElement[bool]) -> tuple[list[FileTicket], int]:
    assignee = aliased(User)
    stmt = (
        select(
            Ticket.id,
            Ticket.number,
            Ticket.title,
            Ticket.status,
            Stage.name,
            Team.name,
            assignee.display_name,
            Ticket.created_at,
            Ticket.updated_at,
            Ticket.archived,
        )
        .outerjoin(Stage, Stage.id == Ticket.stage_id)
        .outerjoin(Team, Team.id == Ticket.team_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .where(where)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
    )
    rows = [
        FileTicket(
            id=r[0],
            number=r[1],
            title=r[2],
            status=Status(r[3]),
            stage=r[4],
            team=r[5],
            assignee=r[6],
            created_at=r[7],
            updated_at=r[8],
            archived=bool(r[9]),
        )
        for r in session.execute(stmt.limit(MAX_TICKETS + 1))
    ]
    total = len(rows)
    if total > MAX_TICKETS:
        total = session.scalar(select(func.count()).select_from(Ticket).where(where)) or 0
    return rows[:MAX_TICKETS], total


def contact_file(session: Session, contact_id: str) -> CustomerFile:
    """The contact and every ticket it is on: as the main contact or one of several (S1)."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFoundError("This customer is not in the cache.")
    linked = select(ticket_contacts.c.ticket_id).where(ticket_contacts.c.contact_id == contact_id)
    tickets, total = _tickets(session, or_(Ticket.contact_id == contact_id, Ticket.id.in_(linked)))
    account = session.get(Account, contact.account_id) if contact.account_id else None
    return CustomerFile(
        kind="contact",
        id=contact.id,
        name=contact.name,
        email=contact.email,
        phone=contact.mobile,
        address=None,
        account=PersonRef(account.id, account.name) if account is not None else None,
        contacts=(),
        tickets=tuple(tickets),
        total=total,
    )


def account_file(session: Session, account_id: str) -> CustomerFile:
    """The account, its contacts, and every ticket of the account or of its contacts."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFoundError("This customer is not in the cache.")
    people = list(
        session.scalars(
            select(Contact).where(Contact.account_id == account_id).order_by(Contact.name)
        )
    )
    member_ids = select(Contact.id).where(Contact.account_id == account_id)
    tickets, total = _tickets(
        session, or_(Ticket.account_id == account_id, Ticket.contact_id.in_(member_ids))
    )
    return CustomerFile(
        kind="account",
        id=account.id,
        name=account.name,
        email=account.email,
        phone=account.phone,
        address=account.address,
        account=None,
        contacts=tuple(PersonRef(c.id, c.name) for c in people),
        tickets=tuple(tickets),
        total=total,
    )


def ticket_customer(session: Session, ticket_id: str) -> tuple[str | None, str | None]:
    """A ticket's contact and account ids (the account from the contact when unset)."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFoundError(f"Ticket {ticket_id} is not in the cache.")
    account_id = ticket.account_id
    if account_id is None and ticket.contact_id is not None:
        contact = session.get(Contact, ticket.contact_id)
        account_id = contact.account_id if contact is not None else None
    return ticket.contact_id, account_id
