"""Creating and changing tickets on the server: the core rules plus what only the server
does (numbers, auto-assignment O5/S3) and the permission checks that never trust a client."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core import tickets as core_tickets
from core.assignment import auto_assign
from core.enums import Channel, Role
from core.errors import NotFoundError, PermissionDenied
from core.models import Team, Ticket, User
from core.visibility import can_see_team, can_see_ticket
from sync.server.numbering import assign_number


def require_staff(actor: User) -> None:
    if actor.role is Role.PORTAL or not actor.active:
        raise PermissionDenied("Only staff may do this.")


def get_visible_ticket(session: Session, actor: User, ticket_id: str) -> Ticket:
    """The ticket if `actor` may see it; an invisible ticket is reported as missing so
    its existence is not disclosed (O3)."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not can_see_ticket(session, actor, ticket_id):
        raise NotFoundError("No such ticket.")
    return ticket


def check_team_allowed(session: Session, actor: User, team_id: str | None) -> None:
    if team_id is None:
        return
    team = session.get(Team, team_id)
    if team is None:
        raise NotFoundError("No such team.")
    if not can_see_team(actor, team, session):
        raise PermissionDenied("You are not a member of that team.")


def create_ticket(
    session: Session,
    actor: User,
    *,
    title: str,
    contact_email: str | None,
    channel: Channel = Channel.AGENT,
    ticket_id: str | None = None,
    **fields: Any,
) -> Ticket:
    """A ticket numbered and, by its team's mode, assigned in the same transaction."""
    if actor.role is not Role.PORTAL:
        check_team_allowed(session, actor, fields.get("team_id"))
    if ticket_id is not None and session.get(Ticket, ticket_id) is not None:
        raise PermissionDenied("A ticket with that id already exists.")
    ticket = core_tickets.create_ticket(
        session,
        title=title,
        contact_email=contact_email,
        channel=channel,
        ticket_id=ticket_id,
        created_by_id=actor.id,
        **fields,
    )
    session.flush()
    assign_number(session, ticket)
    auto_assign(session, ticket)
    return ticket


def update_ticket(
    session: Session, actor: User, ticket: Ticket, changes: dict[str, Any]
) -> dict[str, Any]:
    require_staff(actor)
    if "team_id" in changes:
        check_team_allowed(session, actor, changes["team_id"])
    return core_tickets.update_ticket(session, ticket, changes)
