"""Who is told of a ticket's updates: ticket and team followers (O4), auto-follow (S4),
internal posts kept from customers (S6) and silence without a customer link (S5)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.enums import Role
from core.errors import ValidationError
from core.models import Contact, TeamFollower, Ticket, TicketFollower, User


def _one_party(user_id: str | None, contact_id: str | None) -> None:
    if (user_id is None) == (contact_id is None):
        raise ValidationError(
            "follower", "A follower is either a user or a contact.", code="one_party"
        )


def is_following(
    session: Session, ticket_id: str, *, user_id: str | None = None, contact_id: str | None = None
) -> bool:
    _one_party(user_id, contact_id)
    stmt = select(TicketFollower.id).where(TicketFollower.ticket_id == ticket_id)
    if user_id is not None:
        stmt = stmt.where(TicketFollower.user_id == user_id)
    else:
        stmt = stmt.where(TicketFollower.contact_id == contact_id)
    return session.scalar(stmt.limit(1)) is not None


def follow_ticket(
    session: Session, ticket_id: str, *, user_id: str | None = None, contact_id: str | None = None
) -> bool:
    """Make a user or a contact follow a ticket; True when it was not following yet."""
    if is_following(session, ticket_id, user_id=user_id, contact_id=contact_id):
        return False
    session.add(TicketFollower(ticket_id=ticket_id, user_id=user_id, contact_id=contact_id))
    session.flush()
    return True


def unfollow_ticket(
    session: Session, ticket_id: str, *, user_id: str | None = None, contact_id: str | None = None
) -> bool:
    """Stop following; True when there was something to remove."""
    _one_party(user_id, contact_id)
    stmt = select(TicketFollower).where(TicketFollower.ticket_id == ticket_id)
    if user_id is not None:
        stmt = stmt.where(TicketFollower.user_id == user_id)
    else:
        stmt = stmt.where(TicketFollower.contact_id == contact_id)
    # through the session, not a bulk DELETE: the server's change log then sees the
    # ticket's follower list change
    rows = session.scalars(stmt).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return bool(rows)


def follow_team(
    session: Session, team_id: str, *, user_id: str | None = None, contact_id: str | None = None
) -> bool:
    """ "Follow all team tickets" (O4); True when newly added."""
    _one_party(user_id, contact_id)
    stmt = select(TeamFollower.id).where(TeamFollower.team_id == team_id)
    if user_id is not None:
        stmt = stmt.where(TeamFollower.user_id == user_id)
    else:
        stmt = stmt.where(TeamFollower.contact_id == contact_id)
    if session.scalar(stmt.limit(1)) is not None:
        return False
    session.add(TeamFollower(team_id=team_id, user_id=user_id, contact_id=contact_id))
    session.flush()
    return True


def unfollow_team(
    session: Session, team_id: str, *, user_id: str | None = None, contact_id: str | None = None
) -> bool:
    _one_party(user_id, contact_id)
    stmt = delete(TeamFollower).where(TeamFollower.team_id == team_id)
    if user_id is not None:
        stmt = stmt.where(TeamFollower.user_id == user_id)
    else:
        stmt = stmt.where(TeamFollower.contact_id == contact_id)
    removed = session.execute(stmt.execution_options(synchronize_session="fetch"))
    return bool(getattr(removed, "rowcount", 0))


def auto_follow(session: Session, ticket: Ticket, user_id: str | None) -> bool:
    """S4: a staff user with auto-follow on follows a ticket that concerns them (assigned
    to it, or replied on it). True when a follower was added."""
    if user_id is None:
        return False
    user = session.get(User, user_id)
    if user is None or not user.auto_follow or user.role is Role.PORTAL:
        return False
    return follow_ticket(session, ticket.id, user_id=user_id)


def auto_follow_on_assignment(session: Session, ticket: Ticket) -> bool:
    """Call after setting `ticket.assignee_id` (manual or automatic assignment)."""
    return auto_follow(session, ticket, ticket.assignee_id)


@dataclass(frozen=True)
class Recipients:
    """Who to tell of one update: staff users (desktop notices) and customer contacts
    (mail or SMS, C4/I4)."""

    user_ids: frozenset[str] = field(default_factory=frozenset)
    contact_ids: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.user_ids or self.contact_ids)


def recipients_for_update(
    session: Session,
    ticket: Ticket,
    *,
    include_internal: bool,
    public: bool = True,
    exclude_user_id: str | None = None,
    exclude_contact_id: str | None = None,
) -> Recipients:
    """The followers of `ticket` and of its team (O4).

    `include_internal`: also list staff users (False = only the customer side, for mail
    and SMS senders). `public`: whether the update reaches customers at all; an internal
    note or system event passes False and gets no contacts (S6). Customers are reached
    through contacts only: the ticket's contact, contact followers and portal-user
    followers by their contact; with none of those the customer gets nothing (S5).
    The author of the update (`exclude_*`) is left out.
    """
    # followers with, for user followers, what decides how they are reached: one query
    # per follower table, users joined in
    ticket_rows = (
        select(
            TicketFollower.user_id,
            TicketFollower.contact_id,
            User.role,
            User.active,
            User.contact_id.label("user_contact_id"),
        )
        .outerjoin(User, User.id == TicketFollower.user_id)
        .where(TicketFollower.ticket_id == ticket.id)
    )
    rows = list(session.execute(ticket_rows))
    if ticket.team_id is not None:
        team_rows = (
            select(
                TeamFollower.user_id,
                TeamFollower.contact_id,
                User.role,
                User.active,
                User.contact_id.label("user_contact_id"),
            )
            .outerjoin(User, User.id == TeamFollower.user_id)
            .where(TeamFollower.team_id == ticket.team_id)
        )
        rows += list(session.execute(team_rows))
    contacts = {r.contact_id for r in rows if r.contact_id is not None}
    if ticket.contact_id is not None:
        contacts.add(ticket.contact_id)
    staff: set[str] = set()
    for r in rows:
        if r.user_id is None or not r.active:
            continue
        if r.role is Role.PORTAL:
            if r.user_contact_id is not None:
                contacts.add(r.user_contact_id)
        else:
            staff.add(r.user_id)
    if exclude_user_id is not None:
        staff.discard(exclude_user_id)
        author = session.get(User, exclude_user_id)
        if author is not None and author.contact_id is not None:
            contacts.discard(author.contact_id)
    if exclude_contact_id is not None:
        contacts.discard(exclude_contact_id)
    return Recipients(
        user_ids=frozenset(staff) if include_internal else frozenset(),
        contact_ids=frozenset(contacts) if public else frozenset(),
    )


def customer_contacts(
    session: Session, ticket: Ticket, *, exclude_contact_id: str | None = None
) -> list[Contact]:
    """The customer-side recipients of a public update as Contact rows (addresses and
    mobiles), read once for every channel that tells them (mail, SMS)."""
    ids = recipients_for_update(
        session, ticket, include_internal=False, exclude_contact_id=exclude_contact_id
    ).contact_ids
    if not ids:
        return []
    return list(session.scalars(select(Contact).where(Contact.id.in_(ids)).order_by(Contact.id)))
