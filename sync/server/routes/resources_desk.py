"""Reusable text (KB S8, canned replies E2), sales teams (O7), planned leave (O5) and
the desk settings (P4, E1). Roles: see routes/resources.py."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import (
    AwareDatetime,
    BaseModel,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core.errors import ValidationError
from core.models import CannedReply, KbArticle, LeavePeriod, SalesTeam, User
from core.priority import PriorityMatrix
from core.settings import (
    SlaTargets,
    priority_matrix,
    set_priority_matrix,
    set_sla_targets,
    sla_targets,
)
from sync.server.deps import Admin, Db, Staff, Supervisor
from sync.server.routes.resources_common import (
    Body,
    CannedOut,
    Clean,
    In,
    KbOut,
    LeaveOut,
    Limit,
    Name120,
    Name200,
    Offset,
    Patch,
    Ref,
    RefQuery,
    SalesTeamOut,
    Search,
    Title300,
    like,
    listing,
    page_model,
)
from sync.server.services import resources as svc

# --- knowledge base (S8): supervisors write -----------------------------------------------

kb = APIRouter(prefix="/kb-articles", tags=["knowledge base"])


class KbIn(In):
    title: Title300
    body: Body
    keywords: Annotated[str, StringConstraints(max_length=500), Clean] = ""
    published: StrictBool = True


class KbPatch(Patch):
    title: Title300 | None = None
    body: Body | None = None
    keywords: Annotated[str, StringConstraints(max_length=500), Clean] | None = None
    published: StrictBool | None = None


@kb.get("", response_model=page_model(KbOut))
def list_kb(
    _user: Staff,
    session: Db,
    q: Search = None,
    published: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    query = select(KbArticle).order_by(KbArticle.title, KbArticle.id)
    if q:
        query = query.where(or_(like(KbArticle.title, q), like(KbArticle.keywords, q)))
    if published is not None:
        query = query.where(KbArticle.published.is_(published))
    return listing(session, query, limit, offset)


@kb.post("", response_model=KbOut, status_code=201)
def create_kb(body: KbIn, _user: Supervisor, session: Db) -> Any:
    article = KbArticle(**body.model_dump())
    session.add(article)
    return svc.saved(session, article)


@kb.get("/{article_id}", response_model=KbOut)
def get_kb(article_id: str, _user: Staff, session: Db) -> Any:
    return svc.get_row(session, KbArticle, article_id, "article")


@kb.patch("/{article_id}", response_model=KbOut)
def update_kb(article_id: str, body: KbPatch, _user: Supervisor, session: Db) -> Any:
    article = svc.get_row(session, KbArticle, article_id, "article")
    svc.check_base_version(article, body.base_version, "article")
    svc.apply(article, body.changes("title", "body", "keywords", "published"))
    return svc.saved(session, article)


@kb.delete("/{article_id}", status_code=204)
def delete_kb(article_id: str, _user: Supervisor, session: Db) -> None:
    session.delete(svc.get_row(session, KbArticle, article_id, "article"))
    session.commit()


# --- canned replies (E2): staff write; personal ones stay personal ------------------------

canned = APIRouter(prefix="/canned-replies", tags=["canned replies"])


class CannedIn(In):
    title: Name200
    body: Body
    shortcut: Annotated[str, StringConstraints(max_length=40), Clean] | None = None
    team_id: Ref | None = None
    owner_id: Ref | None = None


class CannedPatch(Patch):
    title: Name200 | None = None
    body: Body | None = None
    shortcut: Annotated[str, StringConstraints(max_length=40), Clean] | None = None
    team_id: Ref | None = None
    owner_id: Ref | None = None


def _canned_refs(session: Session, user: User, values: dict[str, Any]) -> None:
    svc.check_team_ref(session, user, values.get("team_id"))
    svc.check_owner(user, values.get("owner_id"))
    svc.check_staff(session, values.get("owner_id"), "owner_id")


@canned.get("", response_model=page_model(CannedOut))
def list_canned(
    *,
    user: Staff,
    session: Db,
    q: Search = None,
    team_id: RefQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    query = (
        select(CannedReply)
        .where(svc.visible_canned_clause(user))
        .order_by(CannedReply.title, CannedReply.id)
    )
    if q:
        query = query.where(or_(like(CannedReply.title, q), like(CannedReply.shortcut, q)))
    if team_id:
        query = query.where(CannedReply.team_id == team_id)
    return listing(session, query, limit, offset)


@canned.post("", response_model=CannedOut, status_code=201)
def create_canned(body: CannedIn, user: Staff, session: Db) -> Any:
    values = body.model_dump()
    _canned_refs(session, user, values)
    reply = CannedReply(**values)
    session.add(reply)
    return svc.saved(session, reply)


@canned.get("/{reply_id}", response_model=CannedOut)
def get_canned(reply_id: str, user: Staff, session: Db) -> Any:
    return svc.visible_canned(session, user, reply_id)


@canned.patch("/{reply_id}", response_model=CannedOut)
def update_canned(reply_id: str, body: CannedPatch, user: Staff, session: Db) -> Any:
    reply = svc.visible_canned(session, user, reply_id)
    svc.check_base_version(reply, body.base_version, "canned reply")
    changes = body.changes("title", "body")
    _canned_refs(session, user, changes)
    svc.apply(reply, changes)
    return svc.saved(session, reply)


@canned.delete("/{reply_id}", status_code=204)
def delete_canned(reply_id: str, user: Staff, session: Db) -> None:
    session.delete(svc.visible_canned(session, user, reply_id))
    session.commit()


# --- sales teams (O7): supervisors write --------------------------------------------------

sales = APIRouter(prefix="/sales-teams", tags=["sales teams"])


class SalesTeamIn(In):
    name: Name120
    leader_id: Ref | None = None
    member_ids: Annotated[list[Ref], Field(max_length=500)] = Field(default_factory=list)


class SalesTeamPatch(Patch):
    name: Name120 | None = None
    leader_id: Ref | None = None
    member_ids: Annotated[list[Ref], Field(max_length=500)] | None = None


def _sales_out(team: SalesTeam) -> dict[str, Any]:
    columns = {c.name: getattr(team, c.key) for c in SalesTeam.__mapper__.columns}
    return {**columns, "member_ids": sorted(m.id for m in team.members)}


def _sales_values(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    svc.check_staff(session, values.get("leader_id"), "leader_id")
    if values.get("member_ids") is not None:
        values["members"] = svc.staff_users(session, values.pop("member_ids"), "member_ids")
    values.pop("member_ids", None)
    return values


@sales.get("", response_model=page_model(SalesTeamOut))
def list_sales_teams(_user: Staff, session: Db, limit: Limit = 50, offset: Offset = 0) -> Any:
    found = svc.page(
        session,
        select(SalesTeam).order_by(SalesTeam.name, SalesTeam.id),
        limit=limit,
        offset=offset,
    )
    return {"items": [_sales_out(t) for t in found.items], "next_offset": found.next_offset}


@sales.post("", response_model=SalesTeamOut, status_code=201)
def create_sales_team(body: SalesTeamIn, _user: Supervisor, session: Db) -> Any:
    team = SalesTeam(**_sales_values(session, body.model_dump()))
    session.add(team)
    return _sales_out(svc.saved(session, team))


@sales.get("/{sales_team_id}", response_model=SalesTeamOut)
def get_sales_team(sales_team_id: str, _user: Staff, session: Db) -> Any:
    return _sales_out(svc.get_row(session, SalesTeam, sales_team_id, "sales team"))


@sales.patch("/{sales_team_id}", response_model=SalesTeamOut)
def update_sales_team(
    sales_team_id: str, body: SalesTeamPatch, _user: Supervisor, session: Db
) -> Any:
    team = svc.get_row(session, SalesTeam, sales_team_id, "sales team")
    svc.check_base_version(team, body.base_version, "sales team")
    svc.apply(team, _sales_values(session, body.changes("name", "member_ids")))
    return _sales_out(svc.saved(session, team))


@sales.delete("/{sales_team_id}", status_code=204)
def delete_sales_team(sales_team_id: str, _user: Supervisor, session: Db) -> None:
    """Refused (409) while leads point at it; its member list goes with it."""
    team = svc.get_row(session, SalesTeam, sales_team_id, "sales team")
    svc.delete_unused(session, team, "sales team", owned={"sales_team_members"})
    session.commit()


# --- planned leave (O5): supervisors write ------------------------------------------------

leaves = APIRouter(prefix="/leave-periods", tags=["leave"])


class LeaveIn(In):
    user_id: Ref
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: Name200 | None = None


class LeavePatch(Patch):
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    reason: Name200 | None = None


def _check_span(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError("ends_at", "A leave ends after it starts.", code="invalid_range")


@leaves.get("", response_model=page_model(LeaveOut))
def list_leaves(
    _user: Staff,
    session: Db,
    user_id: RefQuery = None,
    ends_after: AwareDatetime | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    query = select(LeavePeriod).order_by(LeavePeriod.starts_at, LeavePeriod.id)
    conditions = []
    if user_id:
        conditions.append(LeavePeriod.user_id == user_id)
    if ends_after is not None:
        conditions.append(LeavePeriod.ends_at > ends_after)
    if conditions:
        query = query.where(and_(*conditions))
    return listing(session, query, limit, offset)


@leaves.post("", response_model=LeaveOut, status_code=201)
def create_leave(body: LeaveIn, _user: Supervisor, session: Db) -> Any:
    svc.check_staff(session, body.user_id, "user_id")
    _check_span(body.starts_at, body.ends_at)
    leave = LeavePeriod(**body.model_dump())
    session.add(leave)
    return svc.saved(session, leave)


@leaves.get("/{leave_id}", response_model=LeaveOut)
def get_leave(leave_id: str, _user: Staff, session: Db) -> Any:
    return svc.get_row(session, LeavePeriod, leave_id, "leave period")


@leaves.patch("/{leave_id}", response_model=LeaveOut)
def update_leave(leave_id: str, body: LeavePatch, _user: Supervisor, session: Db) -> Any:
    leave = svc.get_row(session, LeavePeriod, leave_id, "leave period")
    svc.check_base_version(leave, body.base_version, "leave period")
    changes = body.changes("starts_at", "ends_at")
    _check_span(changes.get("starts_at", leave.starts_at), changes.get("ends_at", leave.ends_at))
    svc.apply(leave, changes)
    return svc.saved(session, leave)


@leaves.delete("/{leave_id}", status_code=204)
def delete_leave(leave_id: str, _user: Supervisor, session: Db) -> None:
    session.delete(svc.get_row(session, LeavePeriod, leave_id, "leave period"))
    session.commit()


# --- settings (P4, E1): staff read, admins write ------------------------------------------

settings = APIRouter(prefix="/settings", tags=["settings"])

PriorityName = Literal["low", "normal", "high"]


class MatrixRow(In):
    """Priority by impact, for one severity."""

    minor: PriorityName
    serious: PriorityName
    catastrophic: PriorityName


class MatrixIn(In):
    """The severity x impact table of P4; every cell is required."""

    low: MatrixRow
    medium: MatrixRow
    critical: MatrixRow


Minutes = Annotated[StrictInt, Field(ge=1, le=366 * 24 * 60)]


class SlaTargetIn(In):
    first_response_minutes: Minutes
    resolution_minutes: Minutes

    @model_validator(mode="after")
    def _order(self) -> SlaTargetIn:
        if self.resolution_minutes < self.first_response_minutes:
            raise ValueError("resolution_minutes must not be shorter than first_response_minutes")
        return self


class SlaIn(In):
    """E1 targets per priority."""

    high: SlaTargetIn
    normal: SlaTargetIn
    low: SlaTargetIn


class SettingsOut(BaseModel):
    priority_matrix: MatrixIn
    sla_targets: SlaIn


@settings.get("")
def get_settings(_user: Staff, session: Db) -> SettingsOut:
    return SettingsOut(
        priority_matrix=MatrixIn.model_validate(priority_matrix(session).to_json()),
        sla_targets=SlaIn.model_validate(sla_targets(session).to_json()),
    )


@settings.get("/priority-matrix")
def get_matrix(_user: Staff, session: Db) -> MatrixIn:
    return MatrixIn.model_validate(priority_matrix(session).to_json())


@settings.put("/priority-matrix")
def put_matrix(body: MatrixIn, _admin: Admin, session: Db) -> MatrixIn:
    """New tickets and tickets whose severity or impact change take the new priority."""
    set_priority_matrix(session, PriorityMatrix.from_json(body.model_dump()))
    session.commit()
    return MatrixIn.model_validate(priority_matrix(session).to_json())


@settings.get("/sla-targets")
def get_sla(_user: Staff, session: Db) -> SlaIn:
    return SlaIn.model_validate(sla_targets(session).to_json())


@settings.put("/sla-targets")
def put_sla(body: SlaIn, _admin: Admin, session: Db) -> SlaIn:
    set_sla_targets(session, SlaTargets.from_json(body.model_dump()))
    session.commit()
    return SlaIn.model_validate(sla_targets(session).to_json())


routers = (kb, canned, sales, leaves, settings)
