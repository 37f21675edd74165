"""What the settings window shows, read from the local cache on the DB worker: teams with
their members and stages, the priority matrix and SLA targets, canned replies and KB
articles, and the signed-in user's role. Plain values, so the GUI thread never touches
a Session. Edits go to the server (sync/client/admin_api.py); the cache follows by pull."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.enums import Role
from core.models import (
    CannedReply,
    Company,
    Contact,
    CustomFieldDef,
    Department,
    KbArticle,
    Stage,
    Subject,
    Team,
    TeamFollower,
    TeamMember,
    Ticket,
    TicketFollower,
    TicketSubtype,
    User,
)
from core.settings import priority_matrix, sla_targets

STAFF_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


@dataclass(frozen=True)
class StageRow:
    id: str
    name: str
    sequence: int
    is_closed: bool
    folded: bool


@dataclass(frozen=True)
class FollowerRow:
    """O4: who follows every ticket of a team: a staff user or an external contact."""

    user_id: str | None
    contact_id: str | None
    name: str


@dataclass(frozen=True)
class TeamRow:
    id: str
    name: str
    public_description: str
    company_id: str | None
    visibility: str
    active: bool
    members: dict[str, bool]
    """user id -> assignable (O5)"""
    stages: list[StageRow]
    followers: list[FollowerRow] = field(default_factory=list)


@dataclass(frozen=True)
class CannedRow:
    id: str
    title: str
    shortcut: str
    body: str
    team_id: str | None
    owner_id: str | None


@dataclass(frozen=True)
class KbRow:
    id: str
    title: str
    keywords: str
    body: str
    published: bool


@dataclass(frozen=True)
class ChildRow:
    """A subject of a department (C1) or a custom field of a subtype (P5)."""

    id: str
    name: str
    sequence: int
    key: str = ""
    kind: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParentRow:
    """A department (C1) with its subjects, or a subtype (P3) with its fields."""

    id: str
    name: str
    team_id: str | None
    children: list[ChildRow]


@dataclass
class SettingsData:
    role: Role | None
    teams: list[TeamRow] = field(default_factory=list)
    companies: list[tuple[str, str]] = field(default_factory=list)
    contacts: list[tuple[str, str]] = field(default_factory=list)
    """(id, name) of external contacts, who may follow a team's tickets (O4)"""
    staff: list[tuple[str, str]] = field(default_factory=list)
    matrix: dict[str, dict[str, str]] = field(default_factory=dict)
    sla: dict[str, dict[str, int]] = field(default_factory=dict)
    canned: list[CannedRow] = field(default_factory=list)
    kb: list[KbRow] = field(default_factory=list)
    departments: list[ParentRow] = field(default_factory=list)
    subtypes: list[ParentRow] = field(default_factory=list)

    @property
    def may_supervise(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def load_settings(session: Session, user_id: str | None) -> SettingsData:
    """Everything the pages show, from the cache, as the signed-in user may see it."""
    user = session.get(User, user_id) if user_id else None
    data = SettingsData(role=user.role if user is not None else None)
    members: dict[str, dict[str, bool]] = {}
    for m in session.scalars(select(TeamMember)):
        members.setdefault(m.team_id, {})[m.user_id] = m.assignable
    stages: dict[str, list[StageRow]] = {}
    for s in session.scalars(select(Stage).order_by(Stage.sequence, Stage.id)):
        stages.setdefault(s.team_id, []).append(
            StageRow(s.id, s.name, s.sequence, s.is_closed, s.folded)
        )
    user_names: dict[str, str] = dict(session.execute(select(User.id, User.display_name)).all())
    contact_names: dict[str, str] = dict(session.execute(select(Contact.id, Contact.name)).all())
    followers: dict[str, list[FollowerRow]] = {}
    for tf in session.scalars(select(TeamFollower).order_by(TeamFollower.id)):
        name = (
            user_names.get(tf.user_id, "")
            if tf.user_id is not None
            else contact_names.get(tf.contact_id or "", "")
        )
        followers.setdefault(tf.team_id, []).append(FollowerRow(tf.user_id, tf.contact_id, name))
    for t in session.scalars(select(Team).order_by(Team.name, Team.id)):
        data.teams.append(
            TeamRow(
                t.id,
                t.name,
                t.public_description or "",
                t.company_id,
                str(t.visibility),
                t.active,
                members.get(t.id, {}),
                stages.get(t.id, []),
                sorted(followers.get(t.id, []), key=lambda r: (r.contact_id is not None, r.name)),
            )
        )
    data.companies = [
        (c.id, c.name) for c in session.scalars(select(Company).order_by(Company.name))
    ]
    data.contacts = sorted(((i, n) for i, n in contact_names.items()), key=lambda c: (c[1], c[0]))
    data.staff = [
        (u.id, u.display_name)
        for u in session.scalars(
            select(User)
            .where(User.role.in_(STAFF_ROLES), User.active.is_(True))
            .order_by(User.display_name, User.id)
        )
    ]
    data.matrix = priority_matrix(session).to_json()
    data.sla = sla_targets(session).to_json()
    team_ids = {t.id for t in data.teams}
    data.canned = [
        CannedRow(c.id, c.title, c.shortcut or "", c.body, c.team_id, c.owner_id)
        for c in session.scalars(select(CannedReply).order_by(CannedReply.title, CannedReply.id))
        if data.is_admin  # as the server lets each one change them (E2)
        or (c.owner_id in (None, user_id) and (c.team_id is None or c.team_id in team_ids))
    ]
    data.kb = [
        KbRow(k.id, k.title, k.keywords, k.body, k.published)
        for k in session.scalars(select(KbArticle).order_by(KbArticle.title, KbArticle.id))
    ]
    subjects: dict[str, list[ChildRow]] = {}
    for sub in session.scalars(select(Subject).order_by(Subject.sequence, Subject.id)):
        subjects.setdefault(sub.department_id, []).append(ChildRow(sub.id, sub.name, sub.sequence))
    data.departments = [
        ParentRow(d.id, d.name, d.team_id, subjects.get(d.id, []))
        for d in session.scalars(
            select(Department).where(Department.active.is_(True)).order_by(Department.name)
        )
    ]
    fields: dict[str, list[ChildRow]] = {}
    for f in session.scalars(
        select(CustomFieldDef).order_by(CustomFieldDef.sequence, CustomFieldDef.id)
    ):
        fields.setdefault(f.subtype_id, []).append(
            ChildRow(
                f.id,
                f.label,
                f.sequence,
                f.key,
                str(f.kind),
                f.required,
                tuple(str(c) for c in f.choices or ()),
            )
        )
    data.subtypes = [
        ParentRow(t.id, t.name, None, fields.get(t.id, []))
        for t in session.scalars(
            select(TicketSubtype).order_by(TicketSubtype.sequence, TicketSubtype.name)
        )
    ]
    return data


def portal_followers_count(session: Session, team_id: str) -> int:
    """How many portal followings a team leaving "public" drops (O3): portal customers
    following the team, and following its tickets (core.visibility.set_team_visibility
    removes the same rows on the server)."""
    portal_contacts = select(User.contact_id).where(
        User.role == Role.PORTAL, User.contact_id.is_not(None)
    )
    of_team = session.scalar(
        select(func.count())
        .select_from(TeamFollower)
        .where(TeamFollower.team_id == team_id, TeamFollower.contact_id.in_(portal_contacts))
    )
    of_tickets = session.scalar(
        select(func.count())
        .select_from(TicketFollower)
        .where(
            TicketFollower.contact_id.in_(portal_contacts),
            TicketFollower.ticket_id.in_(select(Ticket.id).where(Ticket.team_id == team_id)),
        )
    )
    return int(of_team or 0) + int(of_tickets or 0)
