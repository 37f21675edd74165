"""What the queue's actions need to know before they act (C3, E2, E4): the selected
tickets in brief, the colleagues a ticket can be referred to with their load and leave,
and the stages of the tickets' teams. Read-only; the edits are in core.local_edits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.assignment import order_key, ticket_counts
from core.enums import Role, Status
from core.models import LeavePeriod, Stage, Team, Ticket, TicketFollower, User
from core.visibility import can_see_team

STAFF_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


@dataclass(frozen=True)
class TicketBrief:
    """One selected ticket, as the actions see it."""

    id: str
    number: int | None
    title: str
    team_id: str | None
    stage_id: str | None
    status: Status
    archived: bool
    assignee_id: str | None
    following: bool
    contact_id: str | None
    account_id: str | None

    @property
    def closed(self) -> bool:
        return self.status is Status.CLOSED


def briefs(session: Session, ticket_ids: Sequence[str], user_id: str | None) -> list[TicketBrief]:
    """The tickets in the order of `ticket_ids` (ids no longer cached are left out)."""
    if not ticket_ids:
        return []
    followed: set[str] = set()
    if user_id is not None:
        followed = set(
            session.scalars(
                select(TicketFollower.ticket_id).where(
                    TicketFollower.user_id == user_id,
                    TicketFollower.ticket_id.in_(list(ticket_ids)),
                )
            )
        )
    found = {
        t.id: TicketBrief(
            id=t.id,
            number=t.number,
            title=t.title,
            team_id=t.team_id,
            stage_id=t.stage_id,
            status=t.status,
            archived=t.archived,
            assignee_id=t.assignee_id,
            following=t.id in followed,
            contact_id=t.contact_id,
            account_id=t.account_id,
        )
        for t in session.scalars(select(Ticket).where(Ticket.id.in_(list(ticket_ids))))
    }
    return [found[i] for i in ticket_ids if i in found]


@dataclass(frozen=True)
class Colleague:
    """Someone a ticket can be referred to (C3): their open tickets and planned leave."""

    id: str
    name: str
    open_tickets: int
    on_leave_until: datetime | None

    @property
    def on_leave(self) -> bool:
        return self.on_leave_until is not None


def colleagues(session: Session, team_id: str | None, at: datetime) -> list[Colleague]:
    """Active staff who may see `team_id` (everyone when None), in name order, each with
    their open-ticket load (as this cache knows it) and the end of a leave covering `at`."""
    users = list(
        session.scalars(select(User).where(User.active.is_(True), User.role.in_(STAFF_ROLES)))
    )
    team = session.get(Team, team_id) if team_id is not None else None
    if team is not None:
        users = [u for u in users if can_see_team(u, team, session)]
    users.sort(key=order_key)
    ids = [u.id for u in users]
    load = ticket_counts(session, ids, team_id=None, open_only=True)
    leave: dict[str, datetime] = {}
    if ids:
        for user_id, ends_at in session.execute(
            select(LeavePeriod.user_id, LeavePeriod.ends_at).where(
                LeavePeriod.user_id.in_(ids),
                LeavePeriod.starts_at <= at,
                LeavePeriod.ends_at > at,
            )
        ):
            leave[user_id] = max(ends_at, leave.get(user_id, ends_at))
    return [
        Colleague(
            id=u.id, name=u.display_name, open_tickets=load[u.id], on_leave_until=leave.get(u.id)
        )
        for u in users
    ]


@dataclass(frozen=True)
class StageChoice:
    id: str
    name: str
    is_closed: bool


@dataclass(frozen=True)
class TeamChoice:
    """A team and its pipeline, for the stage menu and the refer dialog."""

    id: str
    name: str
    stages: tuple[StageChoice, ...]


def teams(session: Session, team_ids: Sequence[str] | None = None) -> list[TeamChoice]:
    """Active teams (or just `team_ids`) with their stages in pipeline order."""
    query = select(Team).where(Team.active.is_(True)).order_by(Team.name, Team.id)
    if team_ids is not None:
        query = select(Team).where(Team.id.in_(list(team_ids))).order_by(Team.name, Team.id)
    found = list(session.scalars(query))
    stages: dict[str, list[StageChoice]] = {t.id: [] for t in found}
    if found:
        for stage in session.scalars(
            select(Stage).where(Stage.team_id.in_(list(stages))).order_by(Stage.sequence, Stage.id)
        ):
            stages[stage.team_id].append(StageChoice(stage.id, stage.name, stage.is_closed))
    return [TeamChoice(t.id, t.name, tuple(stages[t.id])) for t in found]
