"""The kanban of stages (O1): a team's pipeline and which queue each column is.

A board column is not its own list of tickets: it is the queue of one team's tickets in
one stage (`column_query`), a `core.queues.QueueQuery` like any sidebar queue, so the
board pages, sorts and counts through the same SQL as the queue table. This module adds
only what a queue has no notion of: the teams to choose from and a team's stages.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Stage, Team, TeamMember, Ticket
from core.queues import QueueKind, QueueQuery, SortKey


@dataclass(frozen=True)
class BoardTeam:
    """A team the board can show; `mine` when the agent is a member."""

    id: str
    name: str
    mine: bool


@dataclass(frozen=True)
class BoardStage:
    """One column: a stage of the team's pipeline, in pipeline order."""

    id: str
    name: str
    is_closed: bool
    folded: bool


def board_teams(session: Session, user_id: str | None) -> list[BoardTeam]:
    """Active teams, the agent's own first, then by name."""
    mine: set[str] = set()
    if user_id is not None:
        mine = set(session.scalars(select(TeamMember.team_id).where(TeamMember.user_id == user_id)))
    found = session.execute(
        select(Team.id, Team.name).where(Team.active.is_(True)).order_by(Team.name, Team.id)
    ).all()
    teams = [BoardTeam(team_id, name, team_id in mine) for team_id, name in found]
    return sorted(teams, key=lambda t: not t.mine)  # stable: by name within each group


def board_stages(session: Session, team_id: str) -> list[BoardStage]:
    """The team's stages in pipeline order (sequence, then id)."""
    return [
        BoardStage(s.id, s.name, s.is_closed, s.folded)
        for s in session.scalars(
            select(Stage).where(Stage.team_id == team_id).order_by(Stage.sequence, Stage.id)
        )
    ]


def column_query(team_id: str, stage_id: str) -> QueueQuery:
    """The queue a column shows: the team's tickets in the stage, archived ones left out,
    most urgent first (the queue's default sort)."""
    return QueueQuery(
        kind=QueueKind.ALL,
        team_ids=(team_id,),
        stage_id=stage_id,
        sort=SortKey.PRIORITY,
        descending=True,
    )


def stage_counts(session: Session, team_id: str) -> dict[str, int]:
    """How many tickets each stage's column holds, in one grouped query (the same
    filter as `column_query`: the team's tickets that are not archived)."""
    rows = session.execute(
        select(Ticket.stage_id, func.count())
        .where(Ticket.team_id == team_id, Ticket.archived.is_(False), Ticket.stage_id.is_not(None))
        .group_by(Ticket.stage_id)
    ).all()
    return {stage_id: n for stage_id, n in rows if stage_id is not None}
