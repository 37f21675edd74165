"""Small builders of domain rows for core tests: each adds its row and flushes, so ids
and foreign keys are real, and takes only the fields a test cares about."""

from __future__ import annotations

from datetime import datetime
from itertools import count
from typing import Any

from sqlalchemy.orm import Session

from core.enums import AssignmentMode, Role, Status, Visibility
from core.models import (
    Account,
    Contact,
    LeavePeriod,
    SalesTeam,
    Stage,
    Tag,
    Team,
    TeamMember,
    Ticket,
    User,
)

_serial = count(1)


def make_user(
    session: Session,
    name: str | None = None,
    *,
    role: Role = Role.AGENT,
    active: bool = True,
    **fields: Any,
) -> User:
    n = next(_serial)
    user = User(
        username=fields.pop("username", f"user{n}"),
        display_name=name or f"User {n}",
        role=role,
        active=active,
        **fields,
    )
    session.add(user)
    session.flush()
    return user


def make_team(
    session: Session,
    name: str = "Support",
    *,
    mode: AssignmentMode = AssignmentMode.MANUAL,
    visibility: Visibility = Visibility.COMPANY,
    **fields: Any,
) -> Team:
    team = Team(name=name, assignment_mode=mode, visibility=visibility, **fields)
    session.add(team)
    session.flush()
    return team


def add_member(session: Session, team: Team, user: User, *, assignable: bool = False) -> None:
    session.add(TeamMember(team_id=team.id, user_id=user.id, assignable=assignable))
    session.flush()


def make_stage(
    session: Session, team: Team, name: str = "New", *, closed: bool = False, sequence: int = 10
) -> Stage:
    stage = Stage(team_id=team.id, name=name, is_closed=closed, sequence=sequence)
    session.add(stage)
    session.flush()
    return stage


def make_leave(session: Session, user: User, starts_at: datetime, ends_at: datetime) -> None:
    session.add(LeavePeriod(user_id=user.id, starts_at=starts_at, ends_at=ends_at))
    session.flush()


def make_account(session: Session, name: str = "Acme") -> Account:
    account = Account(name=name)
    session.add(account)
    session.flush()
    return account


def make_contact(
    session: Session, name: str = "Customer", *, email: str | None = None, **fields: Any
) -> Contact:
    contact = Contact(name=name, email=email, **fields)
    session.add(contact)
    session.flush()
    return contact


def make_tag(session: Session, name: str) -> Tag:
    tag = Tag(name=name)
    session.add(tag)
    session.flush()
    return tag


def make_sales_team(
    session: Session, name: str = "Sales", *, members: list[User] | None = None
) -> SalesTeam:
    team = SalesTeam(name=name, members=list(members or []))
    session.add(team)
    session.flush()
    return team


def make_ticket(
    session: Session,
    title: str = "Cannot log in",
    *,
    team: Team | None = None,
    assignee: User | None = None,
    status: Status = Status.NEW,
    archived: bool = False,
    contact_email: str = "customer@example.com",
    **fields: Any,
) -> Ticket:
    """A ticket row written directly (no create_ticket rules): fast, any state a test needs."""
    ticket = Ticket(
        title=title,
        contact_email=contact_email,
        team_id=team.id if team else None,
        assignee_id=assignee.id if assignee else None,
        status=status,
        archived=archived,
        custom_values={},
        **fields,
    )
    session.add(ticket)
    session.flush()
    return ticket


def make_portal_user(session: Session, contact: Contact | None = None) -> User:
    """A portal login (S9) for `contact`, or for a new contact when none is given."""
    if contact is None:
        contact = make_contact(session, email=f"customer{next(_serial)}@example.com")
    return make_user(session, role=Role.PORTAL, contact_id=contact.id)
