"""Checks and writes behind the reference-data endpoints (routes/resources.py): paging,
404s that never disclose a hidden team, refusing to delete rows still in use, team
visibility and membership, users and the desk settings.

Writes go through the ORM session, so the change log's hooks number them; nothing here
commits except `saved`, which turns a unique-key race into a 409.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.enums import Role, Visibility
from core.errors import NotFoundError, ValidationError
from core.followers import follow_team
from core.models import (
    Base,
    CannedReply,
    Company,
    Contact,
    Team,
    TeamFollower,
    TeamMember,
    Ticket,
    User,
)
from core.validation import clean_email
from core.visibility import (
    VisibilityChange,
    can_see_team,
    set_team_visibility,
    visible_canned_replies_clause,
    visible_teams_clause,
)
from sync.server import auth
from sync.server.errors import Conflict

T = TypeVar("T")

_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


@dataclass(frozen=True)
class Page:
    """One page of a list; `next_offset` is None on the last page."""

    items: list[Any]
    next_offset: int | None


def page(session: Session, query: Select[Any], *, limit: int, offset: int) -> Page:
    """Rows `offset`..`offset+limit` of `query` (which must order by a unique key)."""
    rows = list(session.scalars(query.limit(limit + 1).offset(offset)))
    more = len(rows) > limit
    return Page(rows[:limit], offset + limit if more else None)


def get_row(session: Session, model: type[T], ident: str, noun: str) -> T:
    """The row, or 404 naming what was missing (a malformed id is simply not found)."""
    row = session.get(model, ident) if _ID.fullmatch(ident) else None
    if row is None:
        raise NotFoundError(f"No such {noun}.")
    return row


def check_ref(session: Session, model: type[Any], field: str, ident: str | None, noun: str) -> None:
    """A referenced row exists, else a 422 naming the field."""
    if ident is None:
        return
    if not _ID.fullmatch(ident) or session.get(model, ident) is None:
        raise ValidationError(field, f"That {noun} does not exist.", code="not_found")


def check_base_version(row: Any, base_version: int | None, noun: str) -> None:
    if base_version is not None and base_version != row.version:
        raise Conflict(
            f"This {noun} was changed by someone else (your version {base_version}, now "
            f"{row.version}); reload it and try again.",
            code="version_conflict",
        )


def optional_email(value: str | None, field: str = "email") -> str | None:
    """An optional address: empty clears it, anything else must be valid."""
    if value is None or not value.strip():
        return None
    return clean_email(value, field=field)


def apply(row: Any, changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        setattr(row, key, value)


def saved(session: Session, row: T, what: str = "That row") -> T:
    """Commit and read the row back (its change number, its children). A unique key taken
    meanwhile (two creators at once) is a 409 naming `what`, not a 500."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"{what} already exists.", code="duplicate") from exc
    session.refresh(row)
    return row


# --- deleting ----------------------------------------------------------------------------


def references(session: Session, row: Any, *, owned: Collection[str] = ()) -> list[str]:
    """Tables with rows that still point at `row` by a foreign key; `owned` children go
    with their parent (cascade) and do not count. Read from the schema, so a new table
    that points here is covered without anyone remembering to add it."""
    table = row.__table__
    found: list[str] = []
    for other in Base.metadata.sorted_tables:
        if other.name in owned:
            continue
        for fk in other.foreign_keys:
            if fk.column.table is not table:
                continue
            hit = session.scalar(
                select(literal(1)).select_from(other).where(fk.parent == row.id).limit(1)
            )
            if hit is not None:
                found.append(other.name.replace("_", " "))
                break
    return found


def delete_unused(session: Session, row: Any, noun: str, *, owned: Collection[str] = ()) -> None:
    """Delete `row`, or refuse with 409 when other rows still use it (nothing changes)."""
    used_by = references(session, row, owned=owned)
    if used_by:
        raise Conflict(
            f"This {noun} is still used by {', '.join(used_by)}; change those first.",
            code="in_use",
        )
    session.delete(row)


# --- teams (O1-O4) -----------------------------------------------------------------------


def visible_team(session: Session, actor: User, team_id: str) -> Team:
    """The team if `actor` may see it; a hidden team is reported missing (O3)."""
    team = session.get(Team, team_id) if _ID.fullmatch(team_id) else None
    if team is None or not can_see_team(actor, team, session):
        raise NotFoundError("No such team.")
    return team


def check_team_ref(session: Session, actor: User, team_id: str | None) -> None:
    """A team referenced by another row exists and is visible to the writer."""
    if team_id is None:
        return
    team = session.get(Team, team_id) if _ID.fullmatch(team_id) else None
    if team is None or not can_see_team(actor, team, session):
        raise ValidationError("team_id", "That team does not exist.", code="not_found")


def _keep_sight(session: Session, actor: User, team: Team) -> None:
    """A non-admin who makes a team private joins it, or it would vanish from their sight."""
    if actor.role is not Role.ADMIN and session.get(TeamMember, (team.id, actor.id)) is None:
        session.add(TeamMember(team_id=team.id, user_id=actor.id))


def create_team(session: Session, actor: User, values: Mapping[str, Any]) -> Team:
    team = Team(**values)
    session.add(team)
    session.flush()
    if team.visibility is Visibility.PRIVATE:
        _keep_sight(session, actor, team)
    return team


def update_team(
    session: Session, actor: User, team: Team, changes: Mapping[str, Any]
) -> VisibilityChange | None:
    """Plain fields are set; visibility goes through core.visibility.set_team_visibility,
    which drops portal followers when the team stops being public (O3). Tickets that lost
    a follower get a new version so clients take the new follower list."""
    rest = dict(changes)
    visibility = rest.pop("visibility", None)
    apply(team, rest)
    if visibility is None:
        return None
    change = set_team_visibility(session, team, Visibility(visibility))
    for ticket_id in sorted({t for t, _ in change.removed_ticket_contacts}):
        ticket = session.get(Ticket, ticket_id)
        if ticket is not None:
            ticket.version += 1
    if change.new is Visibility.PRIVATE:
        _keep_sight(session, actor, team)
    return change


def _staff_user(session: Session, user_id: str, field: str = "user_id") -> User:
    user = session.get(User, user_id) if _ID.fullmatch(user_id) else None
    if user is None:
        raise ValidationError(field, "That user does not exist.", code="not_found")
    if user.role is Role.PORTAL:
        raise ValidationError(
            field,
            "Only staff users can be chosen here (portal users are customers).",
            code="not_staff",
        )
    return user


def set_member(session: Session, team: Team, user_id: str, *, assignable: bool) -> bool:
    """Invite a staff user (or change whether auto-assignment may pick them, O5); True
    when newly added."""
    _staff_user(session, user_id)
    member = session.get(TeamMember, (team.id, user_id))
    if member is None:
        session.add(TeamMember(team_id=team.id, user_id=user_id, assignable=assignable))
        return True
    member.assignable = assignable
    return False


def remove_member(session: Session, team: Team, user_id: str) -> None:
    member = session.get(TeamMember, (team.id, user_id)) if _ID.fullmatch(user_id) else None
    if member is None:
        raise NotFoundError("That user is not a member of this team.")
    session.delete(member)


def add_follower(
    session: Session, team: Team, *, user_id: str | None, contact_id: str | None
) -> bool:
    """O4: a staff user or a contact follows every ticket of the team. A contact with a
    portal login may follow only a public team (O3: public = invited portal users)."""
    if (user_id is None) == (contact_id is None):
        raise ValidationError("user_id", "Give either user_id or contact_id.", code="one_party")
    if user_id is not None:
        _staff_user(session, user_id)
    else:
        assert contact_id is not None
        check_ref(session, Contact, "contact_id", contact_id, "contact")
        has_login = session.scalar(
            select(User.id).where(User.contact_id == contact_id, User.role == Role.PORTAL).limit(1)
        )
        if has_login is not None and team.visibility is not Visibility.PUBLIC:
            raise ValidationError(
                "contact_id",
                "Portal users may follow only a public team; make the team public first.",
                code="team_not_public",
            )
    return follow_team(session, team.id, user_id=user_id, contact_id=contact_id)


def remove_follower(
    session: Session, team: Team, *, user_id: str | None = None, contact_id: str | None = None
) -> None:
    """Through the session (not a bulk delete), so the change log sees the team change."""
    if not _ID.fullmatch(user_id or contact_id or ""):
        raise NotFoundError("That party does not follow this team.")
    query = select(TeamFollower).where(TeamFollower.team_id == team.id)
    if user_id is not None:
        query = query.where(TeamFollower.user_id == user_id)
    else:
        query = query.where(TeamFollower.contact_id == contact_id)
    rows = session.scalars(query).all()
    if not rows:
        raise NotFoundError("That party does not follow this team.")
    for row in rows:
        session.delete(row)


# --- users -------------------------------------------------------------------------------


def _check_portal_link(session: Session, user: User) -> None:
    """A portal user is the login of exactly one contact (S9), one login per contact."""
    if user.role is not Role.PORTAL:
        return
    if user.contact_id is None:
        raise ValidationError(
            "contact_id", "A portal user needs the contact they log in for.", code="required"
        )
    other = session.scalar(
        select(User.id).where(
            User.contact_id == user.contact_id, User.role == Role.PORTAL, User.id != user.id
        )
    )
    if other is not None:
        raise Conflict("That contact already has a portal login.", code="duplicate")


def _check_not_last_admin(session: Session, user: User) -> None:
    others = session.scalar(
        select(User.id)
        .where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
        .limit(1)
    )
    if others is None:
        raise Conflict(
            "This is the last active admin; make someone else admin first.", code="last_admin"
        )


def _check_user_fields(session: Session, values: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if "email" in out:
        out["email"] = optional_email(out["email"])
    check_ref(session, Company, "company_id", out.get("company_id"), "company")
    check_ref(session, Contact, "contact_id", out.get("contact_id"), "contact")
    if "username" in out:
        taken = session.scalar(select(User.id).where(User.username == out["username"]))
        if taken is not None:
            raise Conflict(f"The user name {out['username']!r} is taken.", code="duplicate")
    return out


def create_user(session: Session, values: Mapping[str, Any], password: str | None) -> User:
    user = User(**_check_user_fields(session, values))
    user.password_hash = auth.hash_password(password) if password else None
    _check_portal_link(session, user)
    session.add(user)
    return user


def update_user(
    session: Session, user: User, changes: Mapping[str, Any], password: str | None
) -> None:
    values = _check_user_fields(session, changes)
    if user.role is Role.ADMIN and user.active:
        losing = values.get("active") is False or values.get("role", Role.ADMIN) != Role.ADMIN
        if losing:
            _check_not_last_admin(session, user)
    apply(user, values)
    _check_portal_link(session, user)
    if password:
        user.password_hash = auth.hash_password(password)
        auth.revoke_all(session, user.id)
    if values.get("active") is False:
        auth.revoke_all(session, user.id)


def deactivate_user(session: Session, user: User) -> None:
    """Users are referenced by tickets and messages: they are deactivated, never deleted;
    their tokens stop working at once."""
    if user.role is Role.ADMIN and user.active:
        _check_not_last_admin(session, user)
    user.active = False
    auth.revoke_all(session, user.id)


def staff_users(session: Session, ids: Collection[str], field: str) -> list[User]:
    return [_staff_user(session, ident, field) for ident in dict.fromkeys(ids)]


def check_staff(session: Session, user_id: str | None, field: str) -> None:
    if user_id is not None:
        _staff_user(session, user_id, field)


# --- canned replies (E2) -----------------------------------------------------------------


def visible_canned_clause(actor: User) -> ColumnElement[bool]:
    """Shared replies of no team or of a team the actor sees, and the actor's own. A
    colleague's personal reply is hidden from everyone, admins too
    (core.visibility.visible_canned_replies_clause): it answers 404 as if absent."""
    return and_(
        visible_canned_replies_clause(actor),
        or_(
            CannedReply.team_id.is_(None),
            CannedReply.team_id.in_(select(Team.id).where(visible_teams_clause(actor))),
        ),
    )


def visible_canned(session: Session, actor: User, ident: str) -> CannedReply:
    found = (
        session.scalar(
            select(CannedReply).where(CannedReply.id == ident, visible_canned_clause(actor))
        )
        if _ID.fullmatch(ident)
        else None
    )
    if found is None:
        raise NotFoundError("No such canned reply.")
    return found


def check_owner(actor: User, owner_id: str | None) -> None:
    """Agents keep personal replies for themselves; admins may file one for anyone (it is
    then that user's alone: the admin no longer sees it)."""
    if owner_id is not None and owner_id != actor.id and actor.role is not Role.ADMIN:
        raise ValidationError(
            "owner_id", "You may keep personal replies only for yourself.", code="not_owner"
        )
