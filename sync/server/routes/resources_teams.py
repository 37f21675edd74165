"""Teams (O1-O5) with members and followers, and their stage pipelines. A team the
caller may not see answers 404 (O3). Roles: see routes/resources.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, StrictBool
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import AssignmentMode, Visibility
from core.errors import NotFoundError
from core.models import Company, Stage, Team, TeamFollower, User
from core.visibility import visible_teams_clause
from sync.server.deps import Db, Staff, Supervisor
from sync.server.routes.resources_common import (
    In,
    Limit,
    LongText,
    Name120,
    Offset,
    Patch,
    Ref,
    Sequence_,
    StageOut,
    TeamOut,
    listing,
    page_model,
)
from sync.server.services import resources as svc

# --- teams (O1-O5): staff read the teams they may see; supervisors write ----------------

teams = APIRouter(prefix="/teams", tags=["teams"])


class TeamIn(In):
    name: Name120
    public_description: LongText | None = None
    company_id: Ref | None = None
    visibility: Visibility = Visibility.COMPANY
    assignment_mode: AssignmentMode = AssignmentMode.MANUAL
    active: StrictBool = True


class TeamPatch(Patch):
    name: Name120 | None = None
    public_description: LongText | None = None
    company_id: Ref | None = None
    visibility: Visibility | None = None
    assignment_mode: AssignmentMode | None = None
    active: StrictBool | None = None


class MemberIn(In):
    assignable: StrictBool = False


class FollowerIn(In):
    user_id: Ref | None = None
    contact_id: Ref | None = None


class TeamFollowOut(BaseModel):
    following: bool
    changed: bool


@teams.get("", response_model=page_model(TeamOut))
def list_teams(
    user: Staff,
    session: Db,
    active: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    query = select(Team).where(visible_teams_clause(user)).order_by(Team.name, Team.id)
    if active is not None:
        query = query.where(Team.active.is_(active))
    return listing(session, query, limit, offset)


@teams.post("", response_model=TeamOut, status_code=201)
def create_team(body: TeamIn, user: Supervisor, session: Db) -> Any:
    svc.check_ref(session, Company, "company_id", body.company_id, "company")
    team = svc.create_team(session, user, body.model_dump())
    return svc.saved(session, team)


@teams.get("/{team_id}", response_model=TeamOut)
def get_team(team_id: str, user: Staff, session: Db) -> Any:
    return svc.visible_team(session, user, team_id)


@teams.patch("/{team_id}", response_model=TeamOut)
def update_team(team_id: str, body: TeamPatch, user: Supervisor, session: Db) -> Any:
    """A visibility change away from public drops portal followers of the team and of
    its tickets (O3)."""
    team = svc.visible_team(session, user, team_id)
    svc.check_base_version(team, body.base_version, "team")
    changes = body.changes("name", "visibility", "assignment_mode", "active")
    svc.check_ref(session, Company, "company_id", changes.get("company_id"), "company")
    svc.update_team(session, user, team, changes)
    return svc.saved(session, team)


@teams.delete("/{team_id}", status_code=204)
def deactivate_team(team_id: str, user: Supervisor, session: Db) -> None:
    """Deactivates: tickets keep their team."""
    svc.visible_team(session, user, team_id).active = False
    session.commit()


@teams.put("/{team_id}/members/{user_id}", response_model=TeamOut)
def set_member(team_id: str, user_id: str, body: MemberIn, user: Supervisor, session: Db) -> Any:
    """Invite a staff user; `assignable` marks the chosen members of auto-assignment (O5)."""
    team = svc.visible_team(session, user, team_id)
    svc.set_member(session, team, user_id, assignable=body.assignable)
    return svc.saved(session, team)


@teams.delete("/{team_id}/members/{user_id}", response_model=TeamOut)
def remove_member(team_id: str, user_id: str, user: Supervisor, session: Db) -> Any:
    team = svc.visible_team(session, user, team_id)
    svc.remove_member(session, team, user_id)
    return svc.saved(session, team)


@teams.post("/{team_id}/followers", response_model=TeamOut)
def add_follower(team_id: str, body: FollowerIn, user: Supervisor, session: Db) -> Any:
    """O4: a staff user or a contact follows every ticket of the team."""
    team = svc.visible_team(session, user, team_id)
    svc.add_follower(session, team, user_id=body.user_id, contact_id=body.contact_id)
    return svc.saved(session, team)


@teams.delete("/{team_id}/followers/users/{user_id}", response_model=TeamOut)
def remove_user_follower(team_id: str, user_id: str, user: Supervisor, session: Db) -> Any:
    team = svc.visible_team(session, user, team_id)
    svc.remove_follower(session, team, user_id=user_id)
    return svc.saved(session, team)


@teams.delete("/{team_id}/followers/contacts/{contact_id}", response_model=TeamOut)
def remove_contact_follower(team_id: str, contact_id: str, user: Supervisor, session: Db) -> Any:
    team = svc.visible_team(session, user, team_id)
    svc.remove_follower(session, team, contact_id=contact_id)
    return svc.saved(session, team)


@teams.post("/{team_id}/follow")
def follow_team(team_id: str, user: Staff, session: Db) -> TeamFollowOut:
    """O4 for oneself: "follow all team tickets"."""
    team = svc.visible_team(session, user, team_id)
    changed = svc.add_follower(session, team, user_id=user.id, contact_id=None)
    session.commit()
    return TeamFollowOut(following=True, changed=changed)


@teams.delete("/{team_id}/follow")
def unfollow_team(team_id: str, user: Staff, session: Db) -> TeamFollowOut:
    team = svc.visible_team(session, user, team_id)
    following = session.scalar(
        select(TeamFollower.id).where(
            TeamFollower.team_id == team.id, TeamFollower.user_id == user.id
        )
    )
    if following is not None:
        svc.remove_follower(session, team, user_id=user.id)
        session.commit()
    return TeamFollowOut(following=False, changed=following is not None)


# --- stages (O1): a team's pipeline -------------------------------------------------------


class StageCreate(In):
    name: Name120
    sequence: Sequence_ = 10
    is_closed: StrictBool = False
    folded: StrictBool = False


class StagePatch(Patch):
    name: Name120 | None = None
    sequence: Sequence_ | None = None
    is_closed: StrictBool | None = None
    folded: StrictBool | None = None


@teams.get("/{team_id}/stages", response_model=list[StageOut])  # type: ignore[valid-type]
def list_stages(team_id: str, user: Staff, session: Db) -> Any:
    team = svc.visible_team(session, user, team_id)
    return session.scalars(
        select(Stage).where(Stage.team_id == team.id).order_by(Stage.sequence, Stage.id)
    ).all()


@teams.post("/{team_id}/stages", response_model=StageOut, status_code=201)
def create_stage(team_id: str, body: StageCreate, user: Supervisor, session: Db) -> Any:
    team = svc.visible_team(session, user, team_id)
    stage = Stage(team_id=team.id, **body.model_dump())
    session.add(stage)
    return svc.saved(session, stage)


stages = APIRouter(prefix="/stages", tags=["teams"])


def _visible_stage(session: Session, user: User, stage_id: str) -> Stage:
    stage = svc.get_row(session, Stage, stage_id, "stage")
    try:
        svc.visible_team(session, user, stage.team_id)
    except NotFoundError as exc:
        raise NotFoundError("No such stage.") from exc
    return stage


@stages.get("/{stage_id}", response_model=StageOut)
def get_stage(stage_id: str, user: Staff, session: Db) -> Any:
    return _visible_stage(session, user, stage_id)


@stages.patch("/{stage_id}", response_model=StageOut)
def update_stage(stage_id: str, body: StagePatch, user: Supervisor, session: Db) -> Any:
    stage = _visible_stage(session, user, stage_id)
    svc.check_base_version(stage, body.base_version, "stage")
    svc.apply(stage, body.changes("name", "sequence", "is_closed", "folded"))
    return svc.saved(session, stage)


@stages.delete("/{stage_id}", status_code=204)
def delete_stage(stage_id: str, user: Supervisor, session: Db) -> None:
    """Refused (409) while tickets sit in the stage: move them first."""
    svc.delete_unused(session, _visible_stage(session, user, stage_id), "stage")
    session.commit()


routers = (teams, stages)
