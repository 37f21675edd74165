"""Who may see which team, ticket, message and canned reply (O3, S6, S9, E2), as SQL
clauses so the server lists only what a user may see without loading rows into Python."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, delete, exists, false, or_, select, true
from sqlalchemy.orm import Session

from core.enums import MessageKind, Role, Visibility
from core.models import (
    CannedReply,
    Message,
    Team,
    TeamFollower,
    TeamMember,
    Ticket,
    TicketFollower,
    User,
)

# what a customer may read of a conversation (S6): never internal notes or system events
PUBLIC_KINDS = (MessageKind.CUSTOMER_REPLY, MessageKind.AGENT_REPLY)
_OPEN_TO_STAFF = (Visibility.COMPANY, Visibility.PUBLIC)


def _is_admin(user: User) -> bool:
    return user.role is Role.ADMIN


def can_see_team(user: User, team: Team, session: Session) -> bool:
    """O3: private = invited users; company = all staff; public = all staff and invited
    portal users (their contact follows the team). Admins see every team."""
    if not user.active:
        return False
    if _is_admin(user):
        return True
    if user.role is Role.PORTAL:
        if team.visibility is not Visibility.PUBLIC or user.contact_id is None:
            return False
        return (
            session.scalar(
                select(TeamFollower.id)
                .where(TeamFollower.team_id == team.id, TeamFollower.contact_id == user.contact_id)
                .limit(1)
            )
            is not None
        )
    if team.visibility in _OPEN_TO_STAFF:
        return True
    return session.get(TeamMember, (team.id, user.id)) is not None


def visible_teams_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause over `Team` for the teams `user` may see."""
    if not user.active:
        return false()
    if _is_admin(user):
        return true()
    if user.role is Role.PORTAL:
        if user.contact_id is None:
            return false()
        return and_(
            Team.visibility == Visibility.PUBLIC,
            exists().where(
                TeamFollower.team_id == Team.id, TeamFollower.contact_id == user.contact_id
            ),
        )
    return or_(
        Team.visibility.in_(_OPEN_TO_STAFF),
        exists().where(TeamMember.team_id == Team.id, TeamMember.user_id == user.id),
    )


def visible_tickets_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause over `Ticket` for the tickets `user` may see.

    Staff: tickets without a team, tickets of company and public teams, tickets of
    private teams they are invited to, and tickets assigned to or followed by them.
    Portal customers: tickets their contact follows, and the tickets of public teams their
    contact follows. Admins: everything.
    """
    if not user.active:
        return false()
    if _is_admin(user):
        return true()
    if user.role is Role.PORTAL:
        if user.contact_id is None:
            return false()
        return or_(
            exists().where(
                TicketFollower.ticket_id == Ticket.id,
                TicketFollower.contact_id == user.contact_id,
            ),
            exists().where(
                Team.id == Ticket.team_id,
                Team.visibility == Visibility.PUBLIC,
                exists().where(
                    TeamFollower.team_id == Team.id, TeamFollower.contact_id == user.contact_id
                ),
            ),
        )
    return or_(
        Ticket.team_id.is_(None),
        Ticket.team_id.in_(
            select(Team.id).where(
                or_(
                    Team.visibility.in_(_OPEN_TO_STAFF),
                    Team.id.in_(select(TeamMember.team_id).where(TeamMember.user_id == user.id)),
                )
            )
        ),
        Ticket.assignee_id == user.id,
        exists().where(TicketFollower.ticket_id == Ticket.id, TicketFollower.user_id == user.id),
    )


def visible_messages_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause over `Message`: messages of visible tickets; for portal customers
    only replies, never internal notes or system events (S6)."""
    ticket_visible = exists().where(Ticket.id == Message.ticket_id, visible_tickets_clause(user))
    if user.role is Role.PORTAL:
        return and_(Message.kind.in_(PUBLIC_KINDS), ticket_visible)
    return ticket_visible


def visible_canned_replies_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause over `CannedReply` for the replies `user` may receive (E2).

    A personal reply (`owner_id` set) is its owner's alone: nobody else gets it, not a
    supervisor and not an admin either. Admins manage the shared replies (no owner), and
    may file a personal one for someone, but never read a colleague's private snippets.
    Shared replies go to all active staff; portal customers get none. A reply kept for a
    team is shared here (the composer offers it to the team's members; the REST listing
    also hides those of teams the user may not see)."""
    if not user.active or user.role is Role.PORTAL:
        return false()
    return or_(CannedReply.owner_id.is_(None), CannedReply.owner_id == user.id)


def can_see_ticket(session: Session, user: User, ticket_id: str) -> bool:
    return (
        session.scalar(
            select(Ticket.id).where(Ticket.id == ticket_id, visible_tickets_clause(user))
        )
        is not None
    )


@dataclass(frozen=True)
class VisibilityChange:
    """What `set_team_visibility` did: old and new value and the portal followers it
    removed (contact ids of the team; (ticket id, contact id) pairs of its tickets)."""

    team_id: str
    old: Visibility
    new: Visibility
    removed_team_contacts: frozenset[str] = field(default_factory=frozenset)
    removed_ticket_contacts: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @property
    def changed(self) -> bool:
        return self.old is not self.new


def set_team_visibility(session: Session, team: Team, visibility: Visibility) -> VisibilityChange:
    """Change a team's visibility (O3). Leaving public removes portal users (contacts with
    a portal login) as followers of the team and of its tickets. The caller commits."""
    old = Visibility(team.visibility)
    new = Visibility(visibility)
    if old is new:
        return VisibilityChange(team.id, old, new)
    removed_team: frozenset[str] = frozenset()
    removed_tickets: frozenset[tuple[str, str]] = frozenset()
    if old is Visibility.PUBLIC:
        portal_contacts = select(User.contact_id).where(
            User.role == Role.PORTAL, User.contact_id.is_not(None)
        )
        team_rows = session.execute(
            select(TeamFollower.id, TeamFollower.contact_id).where(
                TeamFollower.team_id == team.id, TeamFollower.contact_id.in_(portal_contacts)
            )
        ).all()
        ticket_rows = session.execute(
            select(TicketFollower.id, TicketFollower.ticket_id, TicketFollower.contact_id).where(
                TicketFollower.contact_id.in_(portal_contacts),
                TicketFollower.ticket_id.in_(select(Ticket.id).where(Ticket.team_id == team.id)),
            )
        ).all()
        if team_rows:
            session.execute(
                delete(TeamFollower)
                .where(TeamFollower.id.in_([r.id for r in team_rows]))
                .execution_options(synchronize_session="fetch")
            )
        if ticket_rows:
            session.execute(
                delete(TicketFollower)
                .where(TicketFollower.id.in_([r.id for r in ticket_rows]))
                .execution_options(synchronize_session="fetch")
            )
        removed_team = frozenset(str(r.contact_id) for r in team_rows)
        removed_tickets = frozenset((str(r.ticket_id), str(r.contact_id)) for r in ticket_rows)
    team.visibility = new
    team.version += 1
    return VisibilityChange(team.id, old, new, removed_team, removed_tickets)
