"""Automatic assignment of a team's new tickets (O5, S3), so every source of tickets (window,
portal, mail, rules) hands work out by the same rule.

Candidates are the team's chosen members (`TeamMember.assignable`), or every eligible agent
when none are chosen. A candidate who is inactive or on planned leave is unavailable and the
next match is taken. Counts come from one grouped query, not one query per candidate.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.conversation import add_system_event
from core.enums import AssignmentMode, Role, Status, Visibility
from core.followers import auto_follow_on_assignment
from core.ids import utcnow
from core.models import LeavePeriod, Team, TeamMember, Ticket, User
from core.system_events import SystemEvent
from core.textnorm import fold

# roles that take tickets when a team has no chosen members
ELIGIBLE_ROLES = (Role.AGENT, Role.SUPERVISOR)

_MODE_LABELS = {
    AssignmentMode.EQUAL_TOTAL: "equal total tickets",
    AssignmentMode.EQUAL_OPEN: "equal open tickets",
    AssignmentMode.ROUND_ROBIN: "round robin",
    AssignmentMode.LEAST_BUSY: "least busy",
}


def order_key(user: User) -> tuple[str, str]:
    """The stable order of candidates: folded display name, then id to break ties."""
    return (fold(user.display_name), user.id)


def candidates(session: Session, team: Team) -> list[User]:
    """Who may get the team's tickets, in the stable order, whether on leave or not.

    The chosen members when any are chosen (inactive or portal ones dropped); otherwise
    every active agent and supervisor, or, for a private team, its invited ones.
    """
    chosen = list(
        session.scalars(
            select(User)
            .join(TeamMember, TeamMember.user_id == User.id)
            .where(TeamMember.team_id == team.id, TeamMember.assignable.is_(True))
        )
    )
    if chosen:
        users = [u for u in chosen if u.active and u.role is not Role.PORTAL]
    else:
        query = select(User).where(User.active.is_(True), User.role.in_(ELIGIBLE_ROLES))
        if team.visibility is Visibility.PRIVATE:
            invited = select(TeamMember.user_id).where(TeamMember.team_id == team.id)
            query = query.where(User.id.in_(invited))
        users = list(session.scalars(query))
    return sorted(users, key=order_key)


def on_leave(session: Session, user_ids: Collection[str], at: datetime) -> set[str]:
    """The users among `user_ids` inside a planned leave at `at` (start inclusive)."""
    if not user_ids:
        return set()
    rows = session.scalars(
        select(LeavePeriod.user_id)
        .where(
            LeavePeriod.user_id.in_(list(user_ids)),
            LeavePeriod.starts_at <= at,
            LeavePeriod.ends_at > at,
        )
        .distinct()
    )
    return set(rows)


def ticket_counts(
    session: Session, user_ids: Collection[str], *, team_id: str | None, open_only: bool
) -> dict[str, int]:
    """Tickets per assignee in one grouped query: in one team or (None) across all, and
    either all of them or only the open ones (not closed, not archived)."""
    if not user_ids:
        return {}
    query = (
        select(Ticket.assignee_id, func.count())
        .where(Ticket.assignee_id.in_(list(user_ids)))
        .group_by(Ticket.assignee_id)
    )
    if team_id is not None:
        query = query.where(Ticket.team_id == team_id)
    if open_only:
        query = query.where(Ticket.status != Status.CLOSED, Ticket.archived.is_(False))
    counts = dict.fromkeys(user_ids, 0)
    for row in session.execute(query):
        assignee_id: str | None = row[0]
        if assignee_id is not None:
            counts[assignee_id] = int(row[1])
    return counts


def _round_robin(
    session: Session, team: Team, ordered: Sequence[User], unavailable: set[str]
) -> User | None:
    keys = [order_key(u) for u in ordered]
    last = session.get(User, team.last_assignee_id) if team.last_assignee_id else None
    # the first candidate after the last assignee; also right when the last one has since
    # left the candidates, since their place in the order is still known
    start = bisect_right(keys, order_key(last)) if last is not None else 0
    for step in range(len(ordered)):
        user = ordered[(start + step) % len(ordered)]
        if user.id not in unavailable:
            return user
    return None


def choose_assignee(session: Session, team: Team, *, at: datetime) -> User | None:
    """Who the team's mode picks at `at`, or None for a manual team or when nobody is
    available. Changes nothing."""
    mode = team.assignment_mode
    if mode is AssignmentMode.MANUAL:
        return None
    ordered = candidates(session, team)
    if not ordered:
        return None
    ids = [u.id for u in ordered]
    unavailable = on_leave(session, ids, at)
    if mode is AssignmentMode.ROUND_ROBIN:
        return _round_robin(session, team, ordered, unavailable)
    if mode is AssignmentMode.EQUAL_TOTAL:
        counts = ticket_counts(session, ids, team_id=team.id, open_only=False)
    elif mode is AssignmentMode.EQUAL_OPEN:
        counts = ticket_counts(session, ids, team_id=team.id, open_only=True)
    else:  # least busy: open tickets across every team
        counts = ticket_counts(session, ids, team_id=None, open_only=True)
    ranked = sorted(ordered, key=lambda u: (counts[u.id], order_key(u)))
    # the best match first; one on leave is skipped and the next match taken
    return next((u for u in ranked if u.id not in unavailable), None)


def auto_assign(session: Session, ticket: Ticket, *, at: datetime | None = None) -> User | None:
    """Assign `ticket` by its team's mode and record it in the conversation.

    Returns the new assignee; returns None and changes nothing when the ticket has no team,
    is already assigned, closed or archived, the team is manual, or nobody is available.
    The caller commits.
    """
    if (
        ticket.team_id is None
        or ticket.assignee_id is not None
        or ticket.archived
        or ticket.status == Status.CLOSED
    ):
        return None
    team = session.get(Team, ticket.team_id)
    if team is None or not team.active:
        return None
    now = at or utcnow()
    user = choose_assignee(session, team, at=now)
    if user is None:
        return None
    ticket.assignee_id = user.id
    auto_follow_on_assignment(session, ticket)  # S4
    if team.assignment_mode is AssignmentMode.ROUND_ROBIN:
        team.last_assignee_id = user.id
        team.version += 1
        team.updated_at = utcnow()
    # bumps the ticket's version and updated_at
    add_system_event(
        session,
        ticket,
        SystemEvent.ASSIGNED,
        assignee=user.display_name,
        mode=_MODE_LABELS[team.assignment_mode],
    )
    return user
